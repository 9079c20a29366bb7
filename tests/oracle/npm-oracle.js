#!/usr/bin/env node
// npm-oracle.js: the project's reference for live comparisons with npm.
//
// It asks npm's own dependency engine (@npmcli/arborist, bundled inside the
// npm installed on this machine and found with `npm root -g`) what it decides
// for a lockfile, so that lockcut's tests compare with npm itself rather than
// with answers written down once. It reads the lockfile only (loadVirtual),
// never a node_modules folder, and never touches the network. It was modelled
// on the team's reference oracle (shared/oracle/arborist-oracle.js); its
// classify output is the same, field for field, so it also regenerates
// fixtures/peer-fixtures/arborist-expected (tests/oracle/regen-peer-expected.sh).
//
// Usage:
//
//   node npm-oracle.js classify DIR [--omit=dev,optional,peer] [--os=OS]
//        [--cpu=CPU] [--libc=LIBC] [--legacy-peer-deps]
//        [--workspace=NAME|FOLDER ...] [--include-workspace-root]
//
//     One JSON object per lockfile location (the root excluded), sorted by
//     location (byte order):
//       {"location":"node_modules/a","name":"a","version":"1.0.0","dev":false,
//        "optional":false,"devOptional":false,"peer":false,"extraneous":false,
//        "link":false,"omitted":false,"why":"","lock":{"dev":false,
//        "optional":false,"devOptional":false,"peer":false,"extraneous":false}}
//     The top-level flags are the ones `npm ci` acts on: its buildIdealTree
//     loads the lockfile with a root node, which marks every stored flag
//     suspect, so they are reset and recomputed from the graph (calcDepFlags).
//     "lock" holds the flags as loaded from the lockfile (what
//     `npm ls --package-lock-only` believes); for a lockfile whose root entry
//     is out of sync with package.json npm recomputes them already at load,
//     so the two agree. devOptional is spelled as in a lockfile: true only
//     when neither dev nor optional is.
//     "omitted" is true when `npm ci` with these options would not install
//     the package, and "why" says why, first match wins:
//       extraneous  no path from the root reaches it (npm prunes it, and
//                   everything nested under it)
//       workspace   with --workspace: outside the closure npm's reify keeps
//                   for the selected workspaces (see workspaceClosure below)
//       bundler     bundled inside a package that is itself left out (a
//                   bundled dependency arrives with its bundler, whatever its
//                   own flags say)
//       omit        the --omit dep-type filter (node.shouldOmit)
//       platform    an optional package, or one only such packages need,
//                   whose os/cpu/libc or engines do not fit the target
//                   (#checkEngineAndPlatform + optional-set.js)
//     Without --os/--cpu/--libc the target is this machine, as for a plain
//     `npm ci`. `legacy-peer-deps=true` in DIR/.npmrc counts as
//     --legacy-peer-deps, as for npm: peer dependencies are then no edges.
//     --workspace takes what `npm ci --workspace` takes (a name, a folder, or
//     a parent folder of workspaces), resolved by npm's own get-workspaces.js
//     with DIR as the current directory.
//
//   node npm-oracle.js explain DIR NAME|LOCATION|FOLDER|NAME@RANGE
//        [--legacy-peer-deps] [--workspace=NAME|FOLDER ...]
//
//     One JSON object per node `npm explain` would match, in npm's order
//     (lib/commands/explain.js getNodes: a valid package name matches by
//     packageName, else a lockfile location, else a folder, else name@range):
//       {"location":...,"name":...,"version":...,"dependents":[{"type":
//        "prod|dev|optional|peer|peerOptional|workspace","name":...,
//        "spec":...,"from":"<dependent's location, '' for the root>"}]}
//     "name" is npm explain's: the folder name (`lodash4` for an npm: alias),
//     the package name for a link target. "dependents" are the direct edges
//     in that npm explain lists (valid, or from the root: node.js
//     [_explain]), in the lockfile tree's edgesIn order (npm explain on an
//     installed tree lists the same edges, possibly in another order: there
//     a workspace link's edge from the root comes last). "spec" is the
//     spec as declared by the dependent; when an `overrides` entry replaces
//     it, the edge also carries "override": the spec npm uses instead (npm
//     explain prints it as `overridden NAME@"OVERRIDE" (was "SPEC")`). The
//     tree is the lockfile's (loadVirtual, flags reset and recomputed as for
//     classify), not an installed one: entries `npm ci` would not install
//     here (pruned, or skipped for the platform) are answered too, and their
//     edges count as dependents. On an installed tree npm explain gives the
//     same answer for everything installed, though nodes and dependents may
//     come in another order (the order the tree was loaded in). The root
//     project itself is never printed.
//
// Exit codes: 0 done, 1 npm refused the input (message on stderr), 2 usage.
'use strict'
const path = require('path')
const fs = require('fs')
const { execFileSync } = require('child_process')

const npmRoot = execFileSync('npm', ['root', '-g'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'ignore'],
}).trim()
const npmDir = path.join(npmRoot, 'npm')
const need = (m) => require(path.join(npmDir, 'node_modules', m))
const Arborist = need('@npmcli/arborist')
const Node = need('@npmcli/arborist/lib/node.js')
const Diff = need('@npmcli/arborist/lib/diff.js')
const calcDepFlags = need('@npmcli/arborist/lib/calc-dep-flags.js')
const optionalSet = need('@npmcli/arborist/lib/optional-set.js')
const { checkPlatform, checkEngine } = need('npm-install-checks')
const validName = need('validate-npm-package-name')
const npa = need('npm-package-arg')
const semver = need('semver')
const getWorkspaces = require(path.join(npmDir, 'lib', 'utils', 'get-workspaces.js'))
const npmVersion = require(path.join(npmDir, 'package.json')).version

const usage = 'usage: npm-oracle.js classify DIR [--omit=dev,optional,peer] [--os=] [--cpu=] [--libc=]\n' +
  '                       [--legacy-peer-deps] [--workspace=NAME|FOLDER ...] [--include-workspace-root]\n' +
  '       npm-oracle.js explain DIR NAME|LOCATION [--legacy-peer-deps] [--workspace=NAME|FOLDER ...]'
const [mode, dirArg, ...rest] = process.argv.slice(2)
if (!['classify', 'explain'].includes(mode) || !dirArg) {
  console.error(usage)
  process.exit(2)
}
const dir = path.resolve(dirArg)
const positional = rest.filter(a => !a.startsWith('--'))
const opt = (k) => {
  const a = rest.find(x => x.startsWith(`--${k}=`))
  return a ? a.slice(k.length + 3) : undefined
}
const optAll = (k) => rest.filter(x => x.startsWith(`--${k}=`)).map(x => x.slice(k.length + 3))
const npmrcSays = (key) => {
  try {
    const rc = fs.readFileSync(path.join(dir, '.npmrc'), 'utf8')
    return rc.split(/\r?\n/).some(l => l.replace(/\s/g, '') === `${key}=true`)
  } catch {
    return false
  }
}
const legacyPeerDeps = rest.includes('--legacy-peer-deps') || npmrcSays('legacy-peer-deps')
const workspaceFilters = optAll('workspace')
const includeWorkspaceRoot = rest.includes('--include-workspace-root')

const byteOrder = (a, b) => a < b ? -1 : a > b ? 1 : 0

// the flags as a lockfile spells them: devOptional only when neither dev nor
// optional is set
const flagsOf = (n) => ({
  dev: !!n.dev,
  optional: !!n.optional,
  devOptional: !!n.devOptional && !n.dev && !n.optional,
  peer: !!n.peer,
  extraneous: !!n.extraneous,
})

// What `npm ci` does after loading the lockfile (build-ideal-tree.js): reset
// every flag (load-virtual.js, flagsSuspect), recompute them from the graph
// (#fixDepFlags), then prune what no path from the root reaches
// (#idealTreePrune), with everything nested under it.
async function load () {
  const arb = new Arborist({ path: dir, legacyPeerDeps })
  const tree = await arb.loadVirtual()
  const lock = new Map()
  for (const n of tree.inventory.values()) lock.set(n, flagsOf(n))
  for (const n of tree.inventory.values()) {
    if (!n.isProjectRoot) n.resetDepFlags()
  }
  calcDepFlags(tree)
  const pruned = new Set()
  for (const n of tree.inventory.values()) {
    if (n.isProjectRoot || !n.extraneous) continue
    pruned.add(n)
    for (const m of tree.inventory.values()) {
      if (m.location.startsWith(n.location + '/')) pruned.add(m)
    }
  }
  return { arb, tree, lock, pruned }
}

// The names `npm ci --workspace=...` would pass to arborist (base-cmd.js
// setWorkspaces: arborist commands never add the root there).
async function workspaceNames (tree) {
  const ws = await getWorkspaces(workspaceFilters, {
    path: tree.path,
    includeWorkspaceRoot: false,
    relativeFrom: tree.path,
  })
  return [...ws.keys()]
}

// reify.js [_diffTrees] for `npm ci --workspace=W`: the ideal tree's child
// named W (the workspace link) is a filter node, and with
// --include-workspace-root so is every target of the root's non-workspace
// edges. Diff.calculate turns them into a filter set (the root, each filter
// node, its link target, and everything any edge of theirs reaches, any
// type) and then walks the tree from the root, skipping every child not in
// the set along with all that is nested under it. npm ci has emptied
// node_modules first, so the actual tree is the project root alone. Returns
// the set of ideal nodes npm would create, or null when nothing is filtered.
async function workspaceClosure (tree) {
  const names = await workspaceNames(tree)
  const filterNodes = []
  for (const name of names) {
    const ideal = tree.children.get(name)
    if (ideal) filterNodes.push(ideal)
  }
  if (includeWorkspaceRoot && names.length) {
    for (const { type, to } of tree.edgesOut.values()) {
      if (type !== 'workspace' && to) filterNodes.push(to)
    }
  }
  const actual = new Node({ path: tree.path, realpath: tree.realpath, pkg: {} })
  // only the filter matters here: no omit set (the dep-type filter is
  // reported as "omit"), shrinkwrapped packages taken as inflated (their
  // dependencies are the lockfile's entries), and no inert node yet (the
  // platform check runs after this)
  const diff = Diff.calculate({
    actual,
    ideal: tree,
    filterNodes,
    shrinkwrapInflated: new Set([...tree.inventory.values()].filter(n => n.hasShrinkwrap)),
    omit: new Set(),
  })
  if (!diff.filterSet.size) return null
  const kept = new Set()
  const visit = (d) => {
    if (d.ideal) kept.add(d.ideal)
    for (const c of d.children) visit(c)
  }
  visit(diff)
  // unchanged nodes (bundled ones, which come inside their bundler's tarball)
  for (const n of diff.unchanged) kept.add(n)
  // a link target is there when a link to it is
  for (const n of [...kept]) {
    if (n.isLink && n.target) kept.add(n.target)
  }
  return kept
}

// build-ideal-tree.js #checkEngineAndPlatform, in inventory order: every
// optional package (dev or not) whose engines or os/cpu/libc do not fit is
// made inert together with its optional set.
function checkEngineAndPlatform (tree, pruned) {
  const target = { os: opt('os'), cpu: opt('cpu'), libc: opt('libc') }
  const given = target.os || target.cpu || target.libc
  for (const n of tree.inventory.values()) {
    if (pruned.has(n) || !n.optional || n.inert || !n.package) continue
    try {
      checkEngine(n.package, npmVersion, process.version, false)
      if (given) checkPlatform(n.package, false, target)
      else checkPlatform(n.package, false)
    } catch {
      for (const m of optionalSet(n)) m.inert = true
    }
  }
}

async function classify () {
  const { tree, lock, pruned } = await load()
  const omit = new Set((opt('omit') || '').split(',').filter(Boolean))
  const kept = workspaceFilters.length ? await workspaceClosure(tree) : null
  checkEngineAndPlatform(tree, pruned)
  const rows = []
  for (const n of tree.inventory.values()) {
    if (n.isProjectRoot) continue
    let why = ''
    if (pruned.has(n)) why = 'extraneous'
    else if (kept && !kept.has(n)) why = 'workspace'
    else if (n.inDepBundle) {
      let b = n.getBundler()
      while (b && b.inDepBundle) b = b.getBundler()
      if (b && (pruned.has(b) || b.inert || b.shouldOmit(omit))) why = 'bundler'
    } else if (n.shouldOmit(omit)) why = 'omit'
    else if (n.inert) why = 'platform'
    rows.push({
      location: n.location,
      name: n.packageName || n.name,
      version: n.version || '',
      ...flagsOf(n),
      link: !!n.isLink,
      omitted: why !== '',
      why,
      lock: lock.get(n),
    })
  }
  rows.sort((a, b) => byteOrder(a.location, b.location))
  process.stdout.write(rows.map(r => JSON.stringify(r) + '\n').join(''))
}

// lib/commands/explain.js getNodes, with DIR as npm's prefix and cwd
function getNodes (tree, arg) {
  if (validName(arg).validForOldPackages) return [...tree.inventory.query('packageName', arg)]
  const maybeLoc = arg.replace(/\\/g, '/').replace(/(?<!\/)\/+$/, '')
  const byLoc = tree.inventory.get(maybeLoc)
  if (byLoc) return [byLoc]
  const maybePath = path.relative(tree.path, path.resolve(tree.path, maybeLoc))
    .replace(/\\/g, '/').replace(/(?<!\/)\/+$/, '')
  const byPath = tree.inventory.get(maybePath)
  if (byPath) return [byPath]
  try {
    const spec = npa(arg, tree.path)
    if (spec.type !== 'version' && spec.type !== 'range') return []
    return tree.inventory.filter(n =>
      n.package.name === spec.name && semver.satisfies(n.package.version, spec.rawSpec))
  } catch {
    return []
  }
}

async function explain () {
  const query = positional[0]
  if (!query) {
    console.error(usage)
    process.exit(2)
  }
  const { arb, tree } = await load()
  const filterSet = workspaceFilters.length
    ? arb.workspaceDependencySet(tree, await workspaceNames(tree))
    : null
  const nodes = [...new Set(getNodes(tree, query))]
    .filter(n => !n.isProjectRoot && !(filterSet && filterSet.size && !filterSet.has(n)))
  if (!nodes.length) throw Object.assign(new Error(`No dependencies found matching ${query}`), { quiet: true })
  let out = ''
  for (const n of nodes) {
    // node.js [_explain]: invalid edges are not keeping it here, except the
    // root's
    const dependents = []
    for (const e of n.edgesIn) {
      if (!e.valid && !e.from.isProjectRoot) continue
      const d = { type: e.type, name: e.name, spec: e.rawSpec, from: e.from.location }
      if (e.spec !== e.rawSpec) d.override = e.spec
      dependents.push(d)
    }
    out += JSON.stringify({
      location: n.location,
      // as npm explain names it: the folder name (an alias's), except for
      // the root and link targets, which go by their package name
      name: n.isTop ? n.packageName : n.name,
      version: n.version || '',
      dependents,
    }) + '\n'
  }
  process.stdout.write(out)
}

process.stdout.on('error', () => process.exit(0))
;(mode === 'classify' ? classify() : explain()).catch(e => {
  console.error(e.quiet ? `npm-oracle: ${e.message}` : (e.stack || String(e)))
  process.exit(1)
})
