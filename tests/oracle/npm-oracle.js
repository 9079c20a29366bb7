#!/usr/bin/env node
// npm-oracle.js: asks npm's own dependency engine what it decides for a
// lockfile, so lockcut's tests can compare with npm live.
//
// It loads @npmcli/arborist from the npm installed on this machine (found
// with `npm root -g`), reads only the lockfile (loadVirtual) and never
// touches the network. Modelled on the team's reference oracle; this is the
// project's own copy, the one its tests run.
//
//   node npm-oracle.js classify DIR [--omit=dev,optional,peer] [--os=] [--cpu=]
//                                   [--libc=] [--legacy-peer-deps] [--workspace=NAME|PATH ...]
//     one JSON object per lockfile location, sorted by location:
//     {location, name, version, dev, optional, devOptional, peer, extraneous,
//      link, omitted, why, lock: {stored flags}}. Top-level flags are the ones
//     `npm ci` acts on (reset and recomputed, calcDepFlags); "why" is
//     extraneous | omit | platform | bundler | workspace, "" when installed.
//
//   node npm-oracle.js explain DIR NAME|LOCATION
//     one JSON object per instance npm explain would show:
//     {location, name, version, dependents: [{type, name, spec, from}]} with
//     the edges into it that npm explain lists (valid, or from the root);
//     `spec` is the declared one (rawSpec), `from` the dependent's location.
'use strict'
const path = require('path')
const fs = require('fs')
const { execFileSync } = require('child_process')

const npmRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
const need = (m) => require(path.join(npmRoot, 'npm', 'node_modules', m))
const Arborist = need('@npmcli/arborist')
const { checkPlatform, checkEngine } = need('npm-install-checks')
const optionalSet = need('@npmcli/arborist/lib/optional-set.js')
const calcDepFlags = need('@npmcli/arborist/lib/calc-dep-flags.js')
const npmVersion = require(path.join(npmRoot, 'npm', 'package.json')).version

const [mode, dir, ...rest] = process.argv.slice(2)
if (!['classify', 'explain'].includes(mode) || !dir) {
  console.error('usage: npm-oracle.js classify DIR [options] | explain DIR NAME|LOCATION')
  process.exit(2)
}
const opt = (k) => {
  const a = rest.find(x => x.startsWith(`--${k}=`))
  return a ? a.slice(k.length + 3) : undefined
}
const optAll = (k) => rest.filter(x => x.startsWith(`--${k}=`)).map(x => x.slice(k.length + 3))
const npmrcSays = (key) => {
  try {
    const rc = fs.readFileSync(path.join(path.resolve(dir), '.npmrc'), 'utf8')
    return rc.split(/\r?\n/).some(l => l.replace(/\s/g, '') === `${key}=true`)
  } catch {
    return false
  }
}
const legacyPeerDeps = rest.includes('--legacy-peer-deps') || npmrcSays('legacy-peer-deps')

// the flags as npm writes them: devOptional only when neither dev nor optional
const flagsOf = (n) => ({
  dev: !!n.dev,
  optional: !!n.optional,
  devOptional: !!n.devOptional && !n.dev && !n.optional,
  peer: !!n.peer,
  extraneous: !!n.extraneous,
})

// what `npm ci` does after loading: reset every flag, recompute from the
// graph, prune what no path from the root reaches
async function load () {
  const arb = new Arborist({ path: path.resolve(dir), legacyPeerDeps })
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
  return { tree, lock, pruned }
}

// reify.js _diffTrees + diff.js: each workspace's node, its target, and
// everything its edges reach (any type), following link targets
function workspaceFilter (tree, wanted) {
  const keep = new Set([tree])
  const stack = []
  for (const w of wanted) {
    let name = w
    for (const [n, p] of tree.workspaces || new Map()) {
      if (path.relative(tree.path, p) === w.replace(/^\.\//, '').replace(/\/$/, '')) name = n
    }
    const node = tree.children.get(name)
    if (!node) throw new Error(`no workspace ${w}`)
    stack.push(node)
  }
  while (stack.length) {
    const n = stack.pop()
    if (keep.has(n)) continue
    keep.add(n)
    const real = n.target || n
    if (!keep.has(real)) stack.push(real)
    for (const e of real.edgesOut.values()) {
      if (e.to && !keep.has(e.to)) stack.push(e.to)
    }
  }
  return keep
}

async function classify () {
  const { tree, lock, pruned } = await load()
  const omit = new Set((opt('omit') || '').split(',').filter(Boolean))
  const platform = { os: opt('os'), cpu: opt('cpu'), libc: opt('libc') }
  const given = platform.os || platform.cpu || platform.libc
  // #checkEngineAndPlatform, in inventory order
  for (const n of tree.inventory.values()) {
    if (pruned.has(n) || !n.optional || n.inert || !n.package) continue
    try {
      checkEngine(n.package, npmVersion, process.version, false)
      if (given) checkPlatform(n.package, false, platform)
      else checkPlatform(n.package, false)
    } catch {
      for (const m of optionalSet(n)) m.inert = true
    }
  }
  const workspaces = optAll('workspace')
  const keep = workspaces.length ? workspaceFilter(tree, workspaces) : null
  const rows = []
  for (const n of tree.inventory.values()) {
    if (n.isProjectRoot) continue
    let why = ''
    if (pruned.has(n)) why = 'extraneous'
    else if (keep && !keep.has(n)) why = 'workspace'
    else if (n.inDepBundle) {
      // bundled deps arrive inside their bundler's tarball
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
  rows.sort((a, b) => a.location < b.location ? -1 : a.location > b.location ? 1 : 0)
  for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n')
}

async function explain () {
  const { tree } = await load()
  const query = rest[0]
  let nodes = [...tree.inventory.values()].filter(n => !n.isProjectRoot && n.packageName === query)
  if (!nodes.length && tree.inventory.has(query)) nodes = [tree.inventory.get(query)]
  if (!nodes.length) throw new Error(`no package matches ${query}`)
  for (const n of nodes) {
    const dependents = [...n.edgesIn]
      .filter(e => e.valid || e.from.isProjectRoot)
      .map(e => ({ type: e.type, name: e.name, spec: e.rawSpec, from: e.from.location }))
    process.stdout.write(JSON.stringify({
      location: n.location, name: n.packageName || n.name, version: n.version || '', dependents,
    }) + '\n')
  }
}

process.stdout.on('error', () => process.exit(0))
;(mode === 'classify' ? classify() : explain()).catch(e => {
  console.error(e.stack || String(e))
  process.exit(1)
})
