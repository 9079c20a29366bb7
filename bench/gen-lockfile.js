#!/usr/bin/env node
// gen-lockfile.js: a synthetic npm project with the shape of a real one, for
// benchmarks (stages_bench, compare-npm.sh).
//
//   node bench/gen-lockfile.js --packages N --out DIR [--seed S]
//
// Writes DIR/package.json, DIR/package-lock.json (lockfileVersion 3, exactly N
// entries besides the root) and the package.json of every workspace and file:
// folder. Same N and seed, same bytes. Only node's standard library is used.
//
// The shape follows the corpus lockfiles (shared/corpus): entries as npm 11
// writes them with omit-lockfile-registry-resolved (version, integrity, no
// resolved), keys in json-stringify-nice order, 2-space indentation; about 85%
// of the entries hoisted at node_modules/x, 12% nested one level, 1% two
// levels; scoped and unscoped names; several versions of one name; a few
// workspaces (link entries plus their packages/* targets) and file: folders;
// platform packages behind optionalDependencies (esbuild, rollup, sharp and
// napi-rs shaped families, os/cpu/libc arrays); bundles (inBundle, no
// integrity); aliases (npm:x@range); peer and optional peer edges; a few
// extraneous entries (reachable only through an optional peer).
//
// Algorithm: decide the tree first, then the edges. Nodes are placed (hoisted
// or nested under the package that needs the other version), then every edge
// is drawn between a dependent and a name visible from it, and its range is
// made from the version that node's resolution (walk up node_modules from the
// dependent) finds there, so every edge is valid by construction. A spanning
// "introducer" edge per package keeps everything reachable; prod packages are
// introduced by prod packages and dev ones by dev ones, so about 60% of the
// entries end up dev-only. The stored dev/optional/devOptional/peer/extraneous
// flags are then computed the way arborist's calc-dep-flags.js does, over the
// same graph npm builds (links pass flags to their targets, devDependencies
// count only on the root and workspaces).
'use strict'

const fs = require('fs')
const path = require('path')

const USAGE = 'usage: node bench/gen-lockfile.js --packages N --out DIR [--seed S]'

function fail (msg) {
  process.stderr.write(`gen-lockfile: error: ${msg}\n${USAGE}\n`)
  process.exit(1)
}

function parseArgs (argv) {
  const o = { packages: null, out: null, seed: '1' }
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]
    let v
    const eq = a.indexOf('=')
    if (a.startsWith('--') && eq > 0) {
      v = a.slice(eq + 1)
      a = a.slice(0, eq)
    }
    const value = () => {
      if (v !== undefined) return v
      if (i + 1 >= argv.length) fail(`${a} needs a value`)
      return argv[++i]
    }
    switch (a) {
      case '--packages': o.packages = value(); break
      case '--out': o.out = value(); break
      case '--seed': o.seed = value(); break
      case '-h': case '--help':
        process.stdout.write(USAGE + '\n')
        process.exit(0)
        break
      default: fail(`unknown argument '${a}'`)
    }
  }
  if (o.packages === null) fail('--packages is required')
  if (o.out === null) fail('--out is required')
  const m = /^(\d+)([kKmM]?)$/.exec(o.packages)
  if (!m) fail(`--packages: not a number: '${o.packages}'`)
  o.packages = Number(m[1]) * ({ '': 1, k: 1e3, m: 1e6 })[m[2].toLowerCase()]
  if (o.packages < 300) fail('--packages must be at least 300')
  if (o.packages > 5e6) fail('--packages must be at most 5000000')
  return o
}

// ---------------------------------------------------------------------------
// Deterministic randomness: xmur3 seeds sfc32, both from the seed string.

function makeRng (seed) {
  let h = 1779033703 ^ seed.length
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353)
    h = (h << 13) | (h >>> 19)
  }
  const next = () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507)
    h = Math.imul(h ^ (h >>> 13), 3266489909)
    return (h ^= h >>> 16) >>> 0
  }
  let a = next(); let b = next(); let c = next(); let d = next()
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0
    let t = (a + b) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    d = (d + 1) | 0
    t = (t + d) | 0
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
}

let rnd = null
const int = (n) => Math.floor(rnd() * n)
const chance = (p) => rnd() < p
const pick = (a) => a[int(a.length)]
// Index into a list ordered by popularity: a few items take most picks.
const popular = (n, exponent = 3) => Math.floor(n * Math.pow(rnd(), exponent))

function shuffle (a) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = int(i + 1)
    const t = a[i]; a[i] = a[j]; a[j] = t
  }
  return a
}

// weighted([[value, weight], ...]) -> () => value
function weighted (pairs) {
  const cum = []
  let total = 0
  for (const [, w] of pairs) cum.push(total += w)
  return () => {
    const r = rnd() * total
    let lo = 0; let hi = cum.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cum[mid] > r) hi = mid; else lo = mid + 1
    }
    return pairs[lo][0]
  }
}

// ---------------------------------------------------------------------------
// Vocabulary and metadata tables (distributions measured on the corpus).

const WORDS = [...new Set(`
ansi regex styles color convert name string width strip wrap is glob parse path
fs extra mini match brace expansion balanced fill range to number object assign
keys values array flatten unique union merge deep clone equal promise async retry
queue limit throttle debounce event emitter stream buffer crypto hash random uuid
nano id base url query http https proxy agent fetch request cookie session auth
token jwt json yaml toml ini config env dot schema validate types core utils
helper plugin loader compiler runtime transform preset react vue angular svelte
dom render view router store state signal observable rx reactive form input
select modal button icon theme style css sass less post tailwind styled server
client socket ws web worker cluster process child spawn exec shell cmd cli args
prompt spinner log logger debug trace format date time duration ms pretty bytes
size file mime type detect sniff zip tar gzip compress archive unzip read write
line split through pump end finished once wrappy inherits util define property
has symbol tag primitive call bind intrinsic get set map weak iterator generator
function regexp flags escape html entities xml sax parser lexer ast estree walker
visitor scope traverse template code frame source mapping resolve module lookup
require import export esm cjs interop default bundle minify lint test mocha spy
mock fixture snapshot coverage report reporter cache memo keyv sql orm builder
migrate graph ql relay rest api sdk cloud lambda storage blob image resize thumb
canvas pdf font svg png jpeg gif video audio media player intl locale translate
plural currency money decimal big math float int round clamp lerp vector matrix
geo point polygon tree node list heap stack deque sorted binary search index text
diff patch semver version compare satisfies engine platform arch native addon
bindings gyp prebuild wasm thread pool atomics lock mutex fast slow safe strict
loose tiny micro super hyper simple easy smart auto lazy eager quick turbo core
kit lib common shared internal legacy next modern lite plus pro micro mono multi
meta data table grid chart plot color palette gradient shadow border layout flex
box popper tooltip menu tabs toast dialog drawer picker calendar upload drag drop
sortable virtual scroll infinite observer resize intersection mutation animation
spring motion gesture touch pointer keyboard focus trap portal slot context hook
effect ref callback memoize selector reducer saga thunk middleware action dispatch
`.split(/\s+/).filter(Boolean))]

const LICENSES = weighted([['MIT', 760], ['ISC', 100], ['Apache-2.0', 76], ['BSD-3-Clause', 24],
  ['BSD-2-Clause', 14], ['BlueOak-1.0.0', 9], ['0BSD', 2], ['(MIT OR CC0-1.0)', 2], ['Python-2.0', 1],
  ['CC-BY-4.0', 1], ['MIT-0', 1], ['CC0-1.0', 1], ['Unlicense', 1], ['(MIT AND Zlib)', 1]])

const ENGINES = weighted([['>=8', 139], ['>=18', 108], ['>= 0.4', 104], ['>=10', 92],
  ['^18.17.0 || >=20.5.0', 76], ['>=6.9.0', 66], ['>=20.0.0', 53], ['>=6', 53],
  ['^18.14.0 || ^20.0.0 || ^22.0.0 || >=24.0.0', 47], ['^14.15.0 || ^16.10.0 || >=18.0.0', 46],
  ['>=0.10.0', 44], ['>=12', 43], ['>= 0.6', 29], ['>=18.0.0', 25],
  ['^18.18.0 || ^20.9.0 || >=21.1.0', 22], ['>= 0.8', 22], ['>=16.20.0', 21], ['>=4', 20],
  ['>= 8', 18], ['>= 0.8.0', 18], ['>=14.0.0', 15], ['>=12.0.0', 13], ['>= 10.0.0', 13]])

const FUNDING_SHAPES = weighted([['sponsors', 335], ['typed', 67], ['array2', 28], ['array1', 6],
  ['array3', 19], ['strings', 3]])

const DEGREE = weighted([[[0, 0], 460], [[1, 1], 197], [[2, 2], 123], [[3, 3], 57], [[4, 4], 29],
  [[5, 5], 37], [[6, 6], 23], [[7, 7], 13], [[8, 8], 12], [[9, 9], 7], [[10, 15], 22],
  [[16, 25], 14], [[26, 40], 7]])
const degree = () => {
  const [lo, hi] = DEGREE()
  return lo + int(hi - lo + 1)
}

const MAJORS = weighted([[0, 18], [1, 22], [2, 14], [3, 12], [4, 8], [5, 6], [6, 4], [7, 4],
  [8, 2], [9, 2], [10, 2], [11, 1], [12, 1], [15, 1], [16, 1], [18, 1], [19, 1], [20, 1], [29, 1]])

const DEPRECATION = ['This package is no longer supported.',
  'Use the native implementation instead',
  'Rimraf versions prior to v4 are no longer supported',
  'Glob versions prior to v9 are no longer supported',
  'this version has a security issue, upgrade to the latest release']

// ---------------------------------------------------------------------------
// Versions and ranges. A version is [major, minor, patch, preTag|null, preNum].

function randomVersion () {
  const M = MAJORS()
  const m = Math.floor(35 * Math.pow(rnd(), 2.5))
  const p = Math.floor(25 * Math.pow(rnd(), 2.5))
  if (chance(0.002)) return [M, m, p, pick(['beta', 'rc', 'alpha']), int(6)]
  // A few huge minors, like @aws-sdk's 3.1002.5.
  if (M === 3 && chance(0.02)) return [M, 900 + int(200), p, null, 0]
  return [M, m, p, null, 0]
}

const vstr = (v) => `${v[0]}.${v[1]}.${v[2]}` + (v[3] ? `-${v[3]}.${v[4]}` : '')

// A version on another compatibility line (another major, or another minor
// of 0.x), so a caret, tilde or exact range made from it excludes `v`.
function otherLine (v) {
  const [M, m] = v
  if (M === 0) {
    if (m > 0 && chance(0.5)) return [0, int(m), int(10), null, 0]
    return chance(0.5) ? [0, m + 1 + int(4), int(10), null, 0] : [1 + int(3), int(15), int(10), null, 0]
  }
  if (chance(0.6)) {
    const M2 = int(M) // may be 0
    return [M2, M2 === 0 ? 1 + int(9) : int(20), int(15), null, 0]
  }
  return [M + 1 + int(3), int(10), int(10), null, 0]
}

function caret (v) {
  const [M, m, p] = v
  if (M > 0) {
    const m2 = chance(0.6) ? m : int(m + 1)
    return `^${M}.${m2}.${m2 === m ? int(p + 1) : int(15)}`
  }
  if (m > 0) return `^0.${m}.${int(p + 1)}`
  return `^0.0.${p}`
}

// A range satisfied by v. `narrow` keeps to ranges that exclude other
// compatibility lines (used when a nested copy shadows another version).
function rangeFor (v, narrow) {
  const [M, m, p, tag, n] = v
  if (tag) return chance(0.5) ? vstr(v) : `^${M}.${m}.${p}-${tag}.${int(n + 1)}`
  const r = rnd()
  if (r < 0.72) return caret(v)
  if (r < 0.86) return vstr(v)
  if (r < 0.91) return `~${M}.${m}.${int(p + 1)}`
  if (narrow) return caret(v)
  if (r < 0.935) return '*'
  if (r < 0.96) return M > 0 ? `^${M - 1}.0.0 || ^${M}.0.0` : `${caret(v)} || ^1.0.0`
  if (r < 0.98) return `>=${M}.${int(m + 1)}.0`
  if (r < 0.99) return chance(0.5) ? `${M}.x` : `^${M}`
  return `>= ${M}.${int(m + 1)}.0 < ${M + 1}`
}

// ---------------------------------------------------------------------------
// Platform package families, after esbuild, rollup, sharp and napi-rs.

const ESBUILD_PLATS = ['aix-ppc64', 'android-arm', 'android-arm64', 'android-x64', 'darwin-arm64',
  'darwin-x64', 'freebsd-arm64', 'freebsd-x64', 'linux-arm', 'linux-arm64', 'linux-ia32',
  'linux-loong64', 'linux-mips64el', 'linux-ppc64', 'linux-riscv64', 'linux-s390x', 'linux-x64',
  'netbsd-arm64', 'netbsd-x64', 'openbsd-arm64', 'openbsd-x64', 'openharmony-arm64', 'sunos-x64',
  'win32-arm64', 'win32-ia32', 'win32-x64'].map((s) => {
  const [os, cpu] = s.split('-')
  return { suffix: s, os, cpu, libc: null }
})

const ROLLUP_PLATS = [['android-arm-eabi', 'android', 'arm'], ['android-arm64', 'android', 'arm64'],
  ['darwin-arm64', 'darwin', 'arm64'], ['darwin-x64', 'darwin', 'x64'],
  ['freebsd-arm64', 'freebsd', 'arm64'], ['freebsd-x64', 'freebsd', 'x64'],
  ['linux-arm-gnueabihf', 'linux', 'arm', 'glibc'], ['linux-arm-musleabihf', 'linux', 'arm', 'musl'],
  ['linux-arm64-gnu', 'linux', 'arm64', 'glibc'], ['linux-arm64-musl', 'linux', 'arm64', 'musl'],
  ['linux-loong64-gnu', 'linux', 'loong64', 'glibc'], ['linux-ppc64-gnu', 'linux', 'ppc64', 'glibc'],
  ['linux-riscv64-gnu', 'linux', 'riscv64', 'glibc'], ['linux-riscv64-musl', 'linux', 'riscv64', 'musl'],
  ['linux-s390x-gnu', 'linux', 's390x', 'glibc'], ['linux-x64-gnu', 'linux', 'x64', 'glibc'],
  ['linux-x64-musl', 'linux', 'x64', 'musl'], ['openharmony-arm64', 'openharmony', 'arm64'],
  ['win32-arm64-msvc', 'win32', 'arm64'], ['win32-ia32-msvc', 'win32', 'ia32'],
  ['win32-x64-msvc', 'win32', 'x64']].map(([suffix, os, cpu, libc]) => ({ suffix, os, cpu, libc: libc || null }))

const SHARP_PLATS = [['darwin-arm64', 'darwin', 'arm64'], ['darwin-x64', 'darwin', 'x64'],
  ['linux-arm', 'linux', 'arm', 'glibc'], ['linux-arm64', 'linux', 'arm64', 'glibc'],
  ['linux-ppc64', 'linux', 'ppc64', 'glibc'], ['linux-riscv64', 'linux', 'riscv64', 'glibc'],
  ['linux-s390x', 'linux', 's390x', 'glibc'], ['linux-x64', 'linux', 'x64', 'glibc'],
  ['linuxmusl-arm64', 'linux', 'arm64', 'musl'], ['linuxmusl-x64', 'linux', 'x64', 'musl']]
  .map(([suffix, os, cpu, libc]) => ({ suffix, os, cpu, libc: libc || null }))
const SHARP_WIN = [['win32-arm64', 'arm64'], ['win32-ia32', 'ia32'], ['win32-x64', 'x64']]
  .map(([suffix, cpu]) => ({ suffix, os: 'win32', cpu, libc: null }))

const NAPI_PLATS = [['darwin-arm64', 'darwin', 'arm64'], ['darwin-x64', 'darwin', 'x64'],
  ['linux-x64-gnu', 'linux', 'x64', 'glibc'], ['linux-x64-musl', 'linux', 'x64', 'musl'],
  ['linux-arm64-gnu', 'linux', 'arm64', 'glibc'], ['linux-arm64-musl', 'linux', 'arm64', 'musl'],
  ['win32-x64-msvc', 'win32', 'x64'], ['win32-arm64-msvc', 'win32', 'arm64'],
  ['freebsd-x64', 'freebsd', 'x64'], ['android-arm64', 'android', 'arm64']]
  .map(([suffix, os, cpu, libc]) => ({ suffix, os, cpu, libc: libc || null }))

const FAMILY_SIZE = { esbuild: 26, rollup: 21, sharp: 25, napi: 10 }
const FAMILY_KIND = weighted([['esbuild', 3], ['rollup', 3], ['sharp', 1], ['napi', 4]])

// ---------------------------------------------------------------------------
// The model.

const G_PROD = 1
const G_DEV = 2

// node.role bits
const R_RESERVED = 1 // never the target of a random edge (keeps its flags)
const R_NO_NEST = 2 // never nested elsewhere under its name
const R_NO_CHILDREN = 4 // never gets nested children
const R_ALIAS = 8
const R_PEER_ONLY = 16
const R_ROOT_OPTIONAL = 32
const R_EXTRANEOUS = 64 // reachable only through an optional peer, on purpose

// kinds
const K_ROOT = 0
const K_PKG = 1 // an ordinary package entry (hoisted, nested, bundled, platform)
const K_LINK = 2
const K_TARGET = 3 // workspace or file: folder

// edge types, as arborist's edge.js names them
const T_PROD = 0
const T_DEV = 1
const T_OPTIONAL = 2
const T_PEER = 3
const T_PEER_OPTIONAL = 4
const T_WORKSPACE = 5

class Edge {
  constructor (type, name, to, spec) {
    this.type = type
    this.name = name
    this.to = to
    this.spec = spec
  }
}

class Node {
  constructor (id, kind, name, parent, loc) {
    this.id = id
    this.kind = kind
    this.name = name // folder name
    this.pkgName = null // real name when aliased
    this.loc = loc
    this.parent = parent // resolveParent: parent, or the root for targets
    this.children = null // Map name -> Node
    this.v = null
    this.group = 0
    this.k = 0 // planned number of random out-edges
    this.rank = Infinity // popularity rank of the name (0 = most depended on)
    this.role = 0
    this.depth = 0
    this.edges = []
    this.target = null // links
    this.inBundle = false
    this.bundleDependencies = null
    this.platform = null // {os, cpu, libc}
    this.meta = null // license, engines, funding, bin, ...
    this.flags = 0
  }
}

const F_DEV = 1
const F_OPTIONAL = 2
const F_DEV_OPTIONAL = 4
const F_PEER = 8
const F_EXTRANEOUS = 16
const F_ALL = 31

function generate (N, seed) {
  rnd = makeRng(`lockcut-gen:${seed}`)
  const nodes = []
  const root = new Node(0, K_ROOT, '', null, '')
  root.children = new Map()
  nodes.push(root)
  const usedNames = new Set()

  const addNode = (kind, name, parent, loc) => {
    const n = new Node(nodes.length, kind, name, parent, loc)
    nodes.push(n)
    return n
  }
  const place = (name, parent) => { // a package folder under parent's node_modules
    const loc = (parent === root ? '' : parent.loc + '/') + 'node_modules/' + name
    const n = addNode(K_PKG, name, parent, loc)
    if (!parent.children) parent.children = new Map()
    parent.children.set(name, n)
    n.depth = parent.kind === K_PKG ? parent.depth + 1 : 1
    return n
  }
  const resolve = (from, name) => {
    for (let n = from; n; n = n.parent) {
      const c = n.children && n.children.get(name)
      if (c) return c
    }
    return null
  }
  const hasDep = (from, name) => {
    const e = from.edges
    for (let i = 0; i < e.length; i++) if (e[i].name === name) return true
    return false
  }
  const specFor = (to, narrow) => {
    const r = rangeFor(to.v, narrow)
    return to.role & R_ALIAS ? `npm:${to.pkgName}@${r}` : r
  }
  // An edge to whatever `name` resolves to from `from`, range made from it.
  const link = (from, type, to, spec) => {
    from.edges.push(new Edge(type, to.name, to, spec || specFor(to, to.parent !== root)))
  }

  // --- names -------------------------------------------------------------
  const projScope = '@' + pick(WORDS) + '-' + pick(['app', 'platform', 'corp', 'labs', 'org'])
  usedNames.add(projScope)
  const scopes = []
  const nScopes = Math.max(20, Math.round(Math.sqrt(N) * 1.2))
  const scopeSet = new Set([projScope])
  while (scopes.length < nScopes) {
    const s = '@' + (chance(0.6) ? pick(WORDS) : pick(WORDS) + '-' + pick(WORDS))
    if (!scopeSet.has(s)) { scopeSet.add(s); scopes.push(s) }
  }
  const WORDCOUNT = weighted([[1, 10], [2, 58], [3, 30], [4, 2]])
  const baseName = () => {
    const n = WORDCOUNT()
    const parts = []
    for (let i = 0; i < n; i++) parts.push(pick(WORDS))
    let s = parts.join(chance(0.03) ? '.' : '-')
    if (chance(0.02)) s += 'js'
    return s
  }
  const freshName = (scopedP = 0.25) => {
    for (;;) {
      const name = chance(scopedP) ? scopes[popular(scopes.length, 2)] + '/' + baseName() : baseName()
      if (!usedNames.has(name)) { usedNames.add(name); return name }
    }
  }
  const baseOf = (name) => name.slice(name.indexOf('/') + 1)

  const newMeta = (n) => {
    const meta = { license: LICENSES(), engines: null, funding: null, bin: null, deprecated: null, hasInstallScript: false }
    if (chance(0.62)) meta.engines = chance(0.02) ? { node: ENGINES(), npm: '>=9' } : { node: ENGINES() }
    if (chance(0.2)) meta.funding = makeFunding()
    if (chance(0.055)) {
      const b = baseOf(n.pkgName || n.name)
      meta.bin = chance(0.85) ? { [b]: pick(['bin/', 'dist/bin/', '', 'lib/cli/']) + b + pick(['.js', '', '.cjs', '.mjs']) }
        : { [b]: `bin/${b}.js`, [b + '-' + pick(WORDS)]: `bin/${pick(WORDS)}.js` }
    }
    if (chance(0.003)) meta.deprecated = pick(DEPRECATION)
    if (chance(0.003)) meta.hasInstallScript = true
    return meta
  }
  const makeFunding = () => {
    const who = pick(WORDS) + (chance(0.5) ? '' : pick(WORDS))
    const gh = { type: 'github', url: `https://github.com/sponsors/${who}` }
    const oc = { type: 'opencollective', url: `https://opencollective.com/${who}` }
    switch (FUNDING_SHAPES()) {
      case 'sponsors': return { url: chance(0.8) ? `https://github.com/sponsors/${who}` : `https://opencollective.com/${who}` }
      case 'typed': return chance(0.5) ? gh : oc
      case 'array1': return [gh]
      case 'array2': return [oc, { type: 'tidelift', url: `https://tidelift.com/funding/github/npm/${who}` }]
      case 'array3': return [gh, oc, { type: 'individual', url: `https://${who}.dev/sponsor` }]
      default: return [`https://github.com/sponsors/${who}`, `https://github.com/sponsors/${pick(WORDS)}`]
    }
  }

  // --- budgets -----------------------------------------------------------
  const W = Math.max(1, Math.min(12, Math.round(Math.log2(N / 1000)) + 1))
  const V = N >= 5000 ? 2 : 1
  const nExtraneous = Math.max(1, Math.round(N / 20000))
  const families = []
  let platformCount = 0
  const platformBudget = Math.round(N * 0.05)
  while (platformCount < platformBudget || families.length < 2) {
    const kind = FAMILY_KIND()
    families.push(kind)
    platformCount += FAMILY_SIZE[kind]
  }
  const bundles = []
  let bundledCount = 0
  const bundledBudget = Math.max(15, Math.round(N * 0.02))
  while (bundledCount < bundledBudget) {
    const s = Math.min(bundledBudget - bundledCount, 15 + int(186))
    if (s < 15 && bundles.length) bundles[bundles.length - 1] += s
    else bundles.push(s)
    bundledCount += s
  }
  const wsNestedCount = Array.from({ length: W }, () => int(5))
  const nWsNested = wsNestedCount.reduce((a, b) => a + b, 0)
  const nDepth2 = Math.round(N * 0.115) - nWsNested
  const nDepth3 = Math.round(N * 0.012)
  const nGeneral = N - 2 * (W + V) - platformCount - bundledCount - nWsNested - nDepth2 - nDepth3 - nExtraneous
  if (nGeneral < 100) fail('internal: budget too small; use a larger --packages')

  // --- hoisted packages --------------------------------------------------
  const general = []
  for (let i = 0; i < nGeneral; i++) {
    const n = place(freshName(), root)
    n.v = randomVersion()
    n.group = chance(0.4) ? G_PROD : G_DEV
    n.k = degree()
    general.push(n)
  }
  // Aliases: node_modules/string-width-cjs with "name": "string-width".
  const nAliases = Math.max(1, Math.round(N * 0.001))
  for (let i = 0; i < nAliases; i++) {
    const n = general[int(general.length)]
    if (n.role) continue
    const real = general[int(general.length)]
    const alias = real.name + (chance(0.6) ? '-cjs' : String(n.v[0]))
    if (usedNames.has(alias) || real === n) continue
    root.children.delete(n.name)
    usedNames.add(alias)
    n.pkgName = real.name
    n.name = alias
    n.loc = 'node_modules/' + alias
    root.children.set(alias, n)
    n.role |= R_ALIAS | R_NO_NEST
  }
  for (const n of general) n.meta = newMeta(n)

  // Popularity order among hoisted packages. Edges lead from less to more
  // popular packages (apps -> frameworks -> small utilities, as in real
  // graphs), so the graph is nearly acyclic.
  const popAll = shuffle(general.slice())
  popAll.forEach((n, i) => { n.rank = i })

  // Special roles, taken from random hoisted packages.
  const takeFree = (pred) => {
    for (let tries = 0; tries < 1000; tries++) {
      const n = popAll[popAll.length - 1 - popular(popAll.length, 1.5)]
      if (!n.role && pred(n)) return n
    }
    for (const n of popAll) if (!n.role && pred(n)) return n
    fail('internal: no free package for a special role')
  }
  const familyMains = families.map((kind) => {
    const n = takeFree(() => true)
    n.role |= R_NO_NEST
    n.group = chance(0.65) ? G_DEV : G_PROD
    n.meta.hasInstallScript = chance(0.6)
    n.family = kind
    return n
  })
  const bundlers = bundles.map(() => {
    const n = takeFree(() => true)
    n.role |= R_NO_NEST | R_NO_CHILDREN | R_RESERVED
    n.k = 0
    return n
  })
  const nPeerOnly = Math.max(1, Math.round(nGeneral * 0.4 * 0.003))
  for (let i = 0; i < nPeerOnly; i++) {
    const n = takeFree((x) => x.group === G_PROD)
    n.role |= R_PEER_ONLY | R_RESERVED
  }
  const rootOptional = [0, 1].map(() => {
    const n = takeFree((x) => x.group === G_PROD)
    n.role |= R_ROOT_OPTIONAL | R_RESERVED | R_NO_NEST
    n.meta.hasInstallScript = chance(0.5)
    return n
  })
  const nDevOptional = Math.max(1, Math.round(nGeneral * 0.6 * 0.002))
  const devOptional = []
  for (let i = 0; i < nDevOptional; i++) {
    const n = takeFree((x) => x.group === G_DEV)
    n.role |= R_RESERVED | R_NO_NEST | R_NO_CHILDREN
    n.k = 0
    devOptional.push(n)
  }
  const candidates = popAll.filter((n) => !(n.role & R_RESERVED))
  const candidatesProd = candidates.filter((n) => n.group === G_PROD)
  const nestable = popAll.filter((n) => !(n.role & R_NO_NEST))

  // --- workspaces and file: folders ---------------------------------------
  const wsDirs = new Set()
  const workspaces = []
  for (let i = 0; i < W; i++) {
    let dir
    do dir = pick(WORDS) + (chance(0.5) ? '-' + pick(['service', 'api', 'web', 'worker', 'lib', 'cli', 'fn', 'shared', 'ui']) : '')
    while (wsDirs.has(dir))
    wsDirs.add(dir)
    const t = addNode(K_TARGET, dir, root, 'packages/' + dir)
    t.pkgName = projScope + '/' + dir
    t.v = [int(3), int(12), int(8), null, 0]
    t.meta = { license: chance(0.7) ? 'UNLICENSED' : 'MIT' }
    if (chance(0.3)) t.meta.bin = { [projScope.slice(1) + '-' + dir]: 'src/cli.js' }
    t.children = new Map()
    const l = addNode(K_LINK, t.pkgName, root, 'node_modules/' + t.pkgName)
    l.target = t
    l.v = t.v
    root.children.set(l.name, l)
    workspaces.push(t)
    root.edges.push(new Edge(T_WORKSPACE, l.name, l, 'file:' + t.loc))
  }
  const vendors = []
  for (let i = 0; i < V; i++) {
    let dir
    do dir = pick(['legacy', 'vendored', 'patched', 'forked']) + '-' + pick(WORDS)
    while (wsDirs.has(dir))
    wsDirs.add(dir)
    const t = addNode(K_TARGET, dir, root, 'vendor/' + dir)
    t.pkgName = projScope + '/' + dir
    t.v = [int(2), int(10), int(5), null, 0]
    t.meta = { license: 'UNLICENSED' }
    const l = addNode(K_LINK, t.pkgName, root, 'node_modules/' + t.pkgName)
    l.target = t
    l.v = t.v
    root.children.set(l.name, l)
    vendors.push({ target: t, link: l })
  }

  // --- nested copies (another version under the package that needs it) ----
  const nestUnder = (parent, pool, group) => {
    for (let tries = 0; tries < 20; tries++) {
      const x = pool[popular(pool.length, 2)]
      if (x.name === parent.name || (parent.children && parent.children.has(x.name))) continue
      if (parent.parent && parent.parent.name === x.name) continue
      const shadowed = resolve(parent, x.name)
      const n = place(x.name, parent)
      n.v = otherLine(shadowed ? shadowed.v : x.v)
      n.group = group
      n.rank = x.rank
      n.k = degree()
      n.meta = newMeta(n)
      return n
    }
    return null
  }
  const degreePool = []
  for (const n of general) {
    if (!(n.role & R_NO_CHILDREN)) for (let i = 0; i < n.k + 1; i++) degreePool.push(n)
  }
  const nested2 = []
  for (const [i, ws] of workspaces.entries()) {
    for (let j = 0; j < wsNestedCount[i]; j++) {
      const dev = chance(0.3)
      let n
      while (!(n = nestUnder(ws, nestable, dev ? G_DEV : G_PROD)));
      link(ws, dev ? T_DEV : T_PROD, n)
    }
  }
  while (nested2.length < nDepth2) {
    const p = degreePool[int(degreePool.length)]
    const n = nestUnder(p, nestable, p.group)
    if (!n) continue
    link(p, T_PROD, n)
    nested2.push(n)
  }
  let nested3 = 0
  while (nested3 < nDepth3) {
    const p = nested2[int(nested2.length)]
    const n = nestUnder(p, nestable, p.group)
    if (!n) continue
    link(p, T_PROD, n)
    nested3++
  }

  // --- bundles: the bundler's node_modules ships inside its tarball -------
  for (const [bi, size] of bundles.entries()) {
    const b = bundlers[bi]
    b.group = chance(0.5) ? G_PROD : G_DEV
    const n3 = Math.floor(size * 0.05)
    const kids = []
    while (kids.length < size - n3) {
      const name = chance(0.7) ? nestable[popular(nestable.length, 2)].name : freshName(0.15)
      if (name === b.name || (b.children && b.children.has(name))) continue
      const shadow = root.children.get(name)
      const n = place(name, b)
      n.v = shadow && chance(0.5) ? shadow.v : randomVersion()
      n.group = b.group
      n.inBundle = true
      n.k = Math.min(degree(), 6)
      n.meta = newMeta(n)
      kids.push(n)
    }
    shuffle(kids)
    const direct = Math.max(1, Math.round(kids.length * 0.5))
    for (let i = 0; i < kids.length; i++) {
      const from = i < direct ? b : kids[int(i)]
      link(from, T_PROD, kids[i], rangeFor(kids[i].v, true))
    }
    b.bundleDependencies = kids.slice(0, direct).map((n) => n.name)
    for (let i = 0; i < n3; i++) {
      const p = kids[int(kids.length)]
      const x = kids[int(kids.length)]
      if (x === p || (p.children && p.children.has(x.name))) { i--; continue }
      const n = place(x.name, p)
      n.v = otherLine(x.v)
      n.group = b.group
      n.inBundle = true
      n.meta = newMeta(n)
      link(p, T_PROD, n)
    }
    // Extra edges inside the bundle, to names its members can see there,
    // from earlier to later members (kept acyclic like the rest).
    for (const [i, n] of kids.entries()) {
      for (let j = 0; j < n.k && i + 1 < kids.length; j++) {
        const x = kids[kids.length - 1 - popular(kids.length - 1 - i, 2)]
        const t = resolve(n, x.name)
        if (t === n || hasDep(n, x.name)) continue
        link(n, chance(0.03) ? T_OPTIONAL : T_PROD, t, rangeFor(t.v, t.parent !== b))
      }
    }
  }

  // --- platform families --------------------------------------------------
  for (const m of familyMains) {
    const kind = m.family
    const scope = m.name.startsWith('@') ? m.name.slice(0, m.name.indexOf('/')) : null
    const fscope = kind === 'napi' ? scope : '@' + baseOf(m.name).split(/[-.]/)[0] + (chance(0.5) ? '' : '-' + pick(['bin', 'native', 'core']))
    const prefix = (fscope ? fscope + '/' : '') + (kind === 'esbuild' ? '' : baseOf(m.name) + '-')
    const member = (suffix, plat, version, meta) => {
      let name = prefix + suffix
      while (usedNames.has(name) || root.children.has(name)) name += '-x'
      usedNames.add(name)
      const n = place(name, root)
      n.v = version
      n.group = m.group
      n.platform = plat
      n.role |= R_RESERVED | R_NO_NEST | R_NO_CHILDREN
      n.meta = meta
      return n
    }
    const mmeta = { license: m.meta.license, engines: m.meta.engines, funding: m.meta.funding }
    const plats = kind === 'esbuild' ? ESBUILD_PLATS : kind === 'rollup' ? ROLLUP_PLATS
      : kind === 'napi' ? NAPI_PLATS : SHARP_PLATS.concat(SHARP_WIN)
    if (kind === 'sharp') {
      const vips = [1, int(4), int(8), null, 0]
      const vmeta = { license: 'LGPL-3.0-or-later', funding: m.meta.funding }
      for (const p of plats) {
        const n = member(p.suffix, p, m.v, { ...mmeta, license: p.os === 'win32' ? 'Apache-2.0 AND LGPL-3.0-or-later' : mmeta.license })
        link(m, T_OPTIONAL, n, vstr(m.v))
        if (p.os !== 'win32') {
          const lib = member('libvips-' + p.suffix, p, vips, vmeta)
          link(n, T_OPTIONAL, lib, vstr(vips))
        }
      }
      const wasm = member('wasm32', { os: null, cpu: 'wasm32', libc: null }, m.v, mmeta)
      link(m, T_OPTIONAL, wasm, vstr(m.v))
      const helper = place(freshName(0.9), root)
      helper.v = randomVersion()
      helper.group = m.group
      helper.role |= R_RESERVED | R_NO_NEST | R_NO_CHILDREN
      helper.meta = newMeta(helper)
      link(wasm, T_PROD, helper)
    } else {
      for (const p of plats) link(m, T_OPTIONAL, member(p.suffix, p, m.v, mmeta), vstr(m.v))
    }
  }

  // --- spanning edges: who introduces each hoisted package -----------------
  // Prod packages are introduced by prod packages (or the root and the
  // workspaces' dependencies), dev ones by dev ones (or devDependencies).
  const entries = [root, ...workspaces]
  const slotsOf = (n) => Math.max(0, n.k - n.edges.length)
  for (const group of [G_PROD, G_DEV]) {
    // Least popular first: the root and the workspaces depend on the
    // packages nothing else needs, and each package is introduced by a less
    // popular one.
    const order = general.filter((n) => n.group === group && !(n.role & R_ROOT_OPTIONAL))
      .sort((a, b) => b.rank - a.rank)
    const nEntry = Math.max(8, Math.min(120, Math.round(Math.sqrt(order.length) * 0.5)))
    const pool = []
    for (let i = 0; i < order.length; i++) {
      const x = order[i]
      let from = null
      if (i >= nEntry) {
        for (let tries = 0; tries < 8 && pool.length; tries++) {
          const s = int(pool.length)
          const j = pool[s]
          if (j !== x && resolve(j, x.name) === x && !hasDep(j, x.name)) {
            pool[s] = pool[pool.length - 1]
            pool.pop()
            from = j
            break
          }
        }
      }
      if (!from) {
        const rootShare = group === G_PROD ? 0.4 : 0.6
        from = chance(rootShare) ? root : workspaces[int(workspaces.length)]
        if (resolve(from, x.name) !== x || hasDep(from, x.name)) from = root
      }
      const type = x.role & R_PEER_ONLY && from.kind === K_PKG ? T_PEER
        : from.kind !== K_PKG && group === G_DEV ? T_DEV : T_PROD
      link(from, type, x)
      // Peer-only packages introduce nothing, or their whole subtree would be
      // peer-only too (the corpus has a handful of peer entries).
      if (!(x.role & R_PEER_ONLY)) for (let s = slotsOf(x); s > 0; s--) pool.push(x)
    }
  }
  for (const x of rootOptional) link(root, T_OPTIONAL, x)

  // --- random edges, mostly to popular packages -----------------------------
  // Workspaces and file: folders get plain dependencies only: their edges
  // come from the package.json files written below.
  const ranksOf = (pool) => Int32Array.from(pool, (n) => n.rank)
  const candidateRanks = ranksOf(candidates)
  const candidateProdRanks = ranksOf(candidatesProd)
  const moreLikely = (ranks, rank) => { // how many pool entries rank before `rank`
    let lo = 0; let hi = ranks.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (ranks[mid] < rank) lo = mid + 1; else hi = mid
    }
    return lo
  }
  const randomEdges = (n, count, plain = false) => {
    const prod = n.group === G_PROD
    const pool = prod ? candidatesProd : candidates
    const limit = n.rank === Infinity ? pool.length : moreLikely(prod ? candidateProdRanks : candidateRanks, n.rank)
    for (let made = 0, tries = 0; made < count && tries < count * 4; tries++) {
      // A few edges go anywhere: real lockfiles have some cycles.
      const span = chance(0.001) ? pool.length : limit
      if (span === 0) break
      const x = pool[popular(span)]
      const t = resolve(n, x.name)
      if (!t || t === n || t.role & R_RESERVED || hasDep(n, t.name)) continue
      if (n.group === G_PROD && t.group === G_DEV) continue
      const r = rnd()
      let type = T_PROD
      if (plain) type = T_PROD
      else if (r < 0.05 && t.parent !== n) type = chance(0.25) ? T_PEER_OPTIONAL : T_PEER
      else if (r < 0.06) type = T_OPTIONAL
      link(n, type, t)
      made++
    }
  }
  for (const n of nodes) {
    if (n.kind === K_PKG && !n.inBundle && !n.platform && n.k > 0) randomEdges(n, slotsOf(n))
  }
  for (const ws of workspaces) {
    ws.group = G_PROD
    randomEdges(ws, 3 + int(10), true)
  }
  for (const { target } of vendors) {
    target.group = G_PROD
    randomEdges(target, 1 + int(4), true)
  }

  // Workspaces depend on earlier workspaces; file: folders hang off a
  // workspace (file:../../vendor/x) or the root (file:vendor/x).
  for (let i = 1; i < workspaces.length; i++) {
    if (!chance(0.6)) continue
    const dep = workspaces[int(i)]
    const l = root.children.get(dep.pkgName)
    link(workspaces[i], T_PROD, l, chance(0.7) ? `^${vstr(dep.v)}` : '*')
  }
  for (const [i, { target, link: l }] of vendors.entries()) {
    const from = i === 1 ? root : workspaces[int(workspaces.length)]
    link(from, T_PROD, l, 'file:' + path.posix.relative(from.loc, target.loc))
  }

  // Optional peers that pull in a dev-only package make it devOptional
  // (typescript in storefront-web).
  for (const t of devOptional) {
    for (;;) {
      const d = candidatesProd[int(candidatesProd.length)]
      if (d.depth === 1 && !hasDep(d, t.name) && resolve(d, t.name) === t) {
        link(d, T_PEER_OPTIONAL, t, rangeFor(t.v, false))
        break
      }
    }
  }
  // Reachable only through an optional peer: extraneous (storefront's yaml).
  for (let i = 0; i < nExtraneous; i++) {
    const e = place(freshName(), root)
    e.v = randomVersion()
    e.role |= R_RESERVED | R_NO_NEST | R_NO_CHILDREN | R_EXTRANEOUS
    e.meta = newMeta(e)
    const d = candidates[int(candidates.length)]
    link(d, T_PEER_OPTIONAL, e, rangeFor(e.v, false))
  }
  // Optional peers nobody installs.
  const nMissing = Math.max(1, Math.round(N * 0.002))
  for (let i = 0; i < nMissing; i++) {
    const d = candidates[int(candidates.length)]
    const name = chance(0.5) ? '@types/' + freshName(0) : freshName(0.3)
    d.edges.push(new Edge(T_PEER_OPTIONAL, name, null, chance(0.3) ? '*' : `^${1 + int(20)}.0.0`))
  }

  calcDepFlags(nodes, root)
  return { nodes, root, workspaces, vendors, projScope, W, N }
}

// ---------------------------------------------------------------------------
// Flags as @npmcli/arborist/lib/calc-dep-flags.js computes them.

function calcDepFlags (nodes, root) {
  for (const n of nodes) n.flags = n === root ? 0 : F_ALL
  const seen = new Uint8Array(nodes.length)
  const queue = [root]
  let node
  while ((node = queue.pop())) {
    seen[node.id] = 1
    if (!(node.flags & F_EXTRANEOUS)) {
      for (let n = node.parent; n && n.flags & F_EXTRANEOUS; n = n.parent) n.flags &= ~F_EXTRANEOUS
    }
    if (node.kind === K_LINK) {
      const t = node.target
      const clear = t.flags & ~node.flags
      if (clear) t.flags &= ~clear
      if (clear || !seen[t.id]) queue.push(t)
      continue
    }
    const nf = node.flags
    for (const e of node.edges) {
      const to = e.to
      if (!to) continue
      const t = e.type
      const dev = t === T_DEV
      const optional = t === T_OPTIONAL || t === T_PEER_OPTIONAL
      const peer = t === T_PEER || t === T_PEER_OPTIONAL
      const before = to.flags
      if (to.flags & F_EXTRANEOUS && !(nf & F_EXTRANEOUS) && !(peer && optional)) to.flags &= ~F_EXTRANEOUS
      if (to.flags & F_DEV && !(nf & F_DEV) && !dev) to.flags &= ~F_DEV
      if (to.flags & F_OPTIONAL && !(nf & F_OPTIONAL) && !optional) to.flags &= ~F_OPTIONAL
      if (to.flags & F_DEV_OPTIONAL && !(nf & (F_DEV_OPTIONAL | F_DEV | F_OPTIONAL)) && !dev && !optional) {
        to.flags &= ~F_DEV_OPTIONAL
      }
      if (to.flags & F_PEER && !(nf & F_PEER) && !peer) to.flags &= ~F_PEER
      if (to.flags !== before) queue.push(to)
    }
  }
  for (const n of nodes) {
    if (n !== root && seen[n.id] && n.flags & F_DEV_OPTIONAL && n.flags & (F_DEV | F_OPTIONAL)) {
      n.flags &= ~F_DEV_OPTIONAL
    }
  }
}

// ---------------------------------------------------------------------------
// Output, byte for byte as npm writes it: json-stringify-nice with npm's
// preferred keys; within an object, non-objects (arrays included) first,
// then objects, each group in 'en' locale order.

const collator = new Intl.Collator('en')
const PREF = ['name', 'version', 'lockfileVersion', 'resolved', 'integrity', 'requires', 'packages', 'dependencies']
const isObj = (v) => !!v && typeof v === 'object' && !Array.isArray(v)
const keyCompare = (a, b) => {
  const ia = PREF.indexOf(a); const ib = PREF.indexOf(b)
  if (ia >= 0 || ib >= 0) return ia < 0 ? 1 : ib < 0 ? -1 : ia - ib
  return collator.compare(a, b)
}
function nice (obj) {
  if (Array.isArray(obj)) return obj.map(nice)
  if (!isObj(obj)) return obj
  const keys = Object.keys(obj).sort((a, b) => {
    const oa = isObj(obj[a]); const ob = isObj(obj[b])
    return oa === ob ? keyCompare(a, b) : oa ? 1 : -1
  })
  const out = {}
  for (const k of keys) out[k] = nice(obj[k])
  return out
}

function depMaps (n) {
  const deps = {}; const opt = {}; const peer = {}; const peerMeta = {}; const dev = {}
  for (const e of n.edges) {
    if (e.type === T_WORKSPACE) continue
    const m = e.type === T_PROD ? deps : e.type === T_DEV ? dev : e.type === T_OPTIONAL ? opt : peer
    m[e.name] = e.spec
    if (e.type === T_PEER_OPTIONAL) peerMeta[e.name] = { optional: true }
  }
  const some = (m) => Object.keys(m).length ? m : undefined
  return { dependencies: some(deps), optionalDependencies: some(opt), peerDependencies: some(peer), peerDependenciesMeta: some(peerMeta), devDependencies: some(dev) }
}

// 64 bytes derived from name@version (same package, same integrity, as in
// a real lockfile); a seeded PRNG is much cheaper than a real sha512 here.
const integrityBytes = Buffer.alloc(64)
function integrityOf (seed, n) {
  const r = makeRng(`${seed}\0${n.pkgName || n.name}@${vstr(n.v)}`)
  for (let i = 0; i < 64; i += 4) integrityBytes.writeUInt32LE(Math.floor(r() * 4294967296), i)
  return 'sha512-' + integrityBytes.toString('base64')
}

// The entry text of one package, written directly (no intermediate object:
// at 500k entries the garbage dominated the run). Keys come in the order
// nice() would give them; the 2k and 10k outputs are checked against npm's
// own json-stringify-nice in bench/README.md.
const SCALAR_KEYS = ['name', 'version', 'integrity', ...['bundleDependencies', 'cpu', 'deprecated', 'dev',
  'devOptional', 'extraneous', 'funding', 'hasInstallScript', 'inBundle', 'libc', 'license', 'optional',
  'os', 'peer'].sort(collator.compare)]
const OBJECT_KEYS = ['dependencies', ...['bin', 'devDependencies', 'engines', 'funding', 'optionalDependencies',
  'peerDependencies', 'peerDependenciesMeta'].sort(collator.compare)]
const IND = '      ' // keys inside an entry
const strArray = (a) => '[\n' + a.map((x) => `${IND}  ${JSON.stringify(x)}`).join(',\n') + `\n${IND}]`
const small = (v) => JSON.stringify(nice(v), null, 2).replace(/\n/g, '\n' + IND)
// keyCompare, not the collator alone: json-stringify-nice puts its preferred
// keys first at every level, so a package named `name` leads a dependencies map.
const byName = (a, b) => keyCompare(a.name, b.name)

function depsText (edges) {
  edges.sort(byName)
  return '{\n' + edges.map((e) => `${IND}  ${JSON.stringify(e.name)}: ${JSON.stringify(e.spec)}`).join(',\n') + `\n${IND}}`
}

function entryText (n, seed) {
  if (n.kind === K_LINK) return `{\n${IND}"resolved": ${JSON.stringify(n.target.loc)},\n${IND}"link": true\n    }`
  const m = n.meta
  const sc = new Map()
  const ob = new Map()
  if (n.pkgName) sc.set('name', JSON.stringify(n.pkgName))
  sc.set('version', JSON.stringify(vstr(n.v)))
  if (n.kind === K_PKG && !n.inBundle) sc.set('integrity', JSON.stringify(integrityOf(seed, n)))
  const f = n.flags
  if (f & F_EXTRANEOUS) sc.set('extraneous', 'true')
  else {
    if (f & F_PEER) sc.set('peer', 'true')
    if (f & F_DEV) sc.set('dev', 'true')
    if (f & F_OPTIONAL) sc.set('optional', 'true')
    if (f & F_DEV_OPTIONAL && !(f & (F_DEV | F_OPTIONAL))) sc.set('devOptional', 'true')
  }
  if (n.inBundle) sc.set('inBundle', 'true')
  if (m.hasInstallScript) sc.set('hasInstallScript', 'true')
  if (m.license) sc.set('license', JSON.stringify(m.license))
  if (m.deprecated) sc.set('deprecated', JSON.stringify(m.deprecated))
  if (n.bundleDependencies) sc.set('bundleDependencies', strArray(n.bundleDependencies.slice().sort(collator.compare)))
  if (n.platform) {
    if (n.platform.os) sc.set('os', strArray([n.platform.os]))
    sc.set('cpu', strArray([n.platform.cpu]))
    if (n.platform.libc) sc.set('libc', strArray([n.platform.libc]))
  }
  if (m.funding) (isObj(m.funding) ? ob : sc).set('funding', small(m.funding))
  if (m.bin) ob.set('bin', small(m.bin))
  if (m.engines) ob.set('engines', small(m.engines))
  if (n.edges.length) {
    const by = [[], [], [], [], []] // prod dev optional peer(+optional)
    for (const e of n.edges) by[e.type === T_PEER_OPTIONAL ? T_PEER : e.type].push(e)
    if (by[T_PROD].length) ob.set('dependencies', depsText(by[T_PROD]))
    if (by[T_DEV].length && n.kind === K_TARGET) ob.set('devDependencies', depsText(by[T_DEV]))
    if (by[T_OPTIONAL].length) ob.set('optionalDependencies', depsText(by[T_OPTIONAL]))
    if (by[T_PEER].length) {
      ob.set('peerDependencies', depsText(by[T_PEER]))
      const opt = by[T_PEER].filter((e) => e.type === T_PEER_OPTIONAL)
      if (opt.length) {
        ob.set('peerDependenciesMeta', '{\n' + opt.map((e) =>
          `${IND}  ${JSON.stringify(e.name)}: {\n${IND}    "optional": true\n${IND}  }`).join(',\n') + `\n${IND}}`)
      }
    }
  }
  const parts = []
  for (const k of SCALAR_KEYS) if (sc.has(k)) parts.push(`${IND}"${k}": ${sc.get(k)}`)
  for (const k of OBJECT_KEYS) if (ob.has(k)) parts.push(`${IND}"${k}": ${ob.get(k)}`)
  return '{\n' + parts.join(',\n') + '\n    }'
}

function sortedMap (m) {
  if (!m) return undefined
  const out = {}
  for (const k of Object.keys(m).sort(collator.compare)) out[k] = m[k]
  return out
}

function write (g, outDir, seed) {
  const { nodes, root, workspaces, vendors } = g
  const marker = 'synthetic project made by lockcut bench/gen-lockfile.js'
  fs.mkdirSync(outDir, { recursive: true })
  const pj = path.join(outDir, 'package.json')
  const existing = fs.readdirSync(outDir)
  if (existing.length) {
    let ours = false
    try { ours = JSON.parse(fs.readFileSync(pj, 'utf8')).description === marker } catch {}
    if (!ours) fail(`'${outDir}' is not empty and was not made by gen-lockfile.js; use an empty or new folder`)
    for (const d of ['packages', 'vendor', 'node_modules']) fs.rmSync(path.join(outDir, d), { recursive: true, force: true })
  }

  const rootDeps = depMaps(root)
  const rootPkg = {
    name: `bench-project-${g.N}`,
    version: '1.0.0',
    private: true,
    description: marker,
    license: 'UNLICENSED',
    workspaces: ['packages/*'],
    engines: { node: '>=20' },
    dependencies: sortedMap(rootDeps.dependencies),
    optionalDependencies: sortedMap(rootDeps.optionalDependencies),
    devDependencies: sortedMap(rootDeps.devDependencies),
  }
  fs.writeFileSync(pj, JSON.stringify(rootPkg, null, 2) + '\n')
  for (const t of [...workspaces, ...vendors.map((v) => v.target)]) {
    const d = depMaps(t)
    const pkg = {
      name: t.pkgName,
      version: vstr(t.v),
      description: `${t.loc} of the synthetic benchmark project`,
      main: 'src/index.js',
      bin: t.meta.bin,
      license: t.meta.license,
      dependencies: sortedMap(d.dependencies),
      devDependencies: sortedMap(d.devDependencies),
    }
    fs.mkdirSync(path.join(outDir, t.loc), { recursive: true })
    fs.writeFileSync(path.join(outDir, t.loc, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
  }

  // The root entry carries package.json's lockfile fields, so npm finds the
  // root in sync and trusts the stored flags.
  const rootEntry = nice({
    name: rootPkg.name,
    version: rootPkg.version,
    license: rootPkg.license,
    workspaces: rootPkg.workspaces,
    dependencies: rootPkg.dependencies,
    devDependencies: rootPkg.devDependencies,
    optionalDependencies: rootPkg.optionalDependencies,
    engines: rootPkg.engines,
  })
  const lockPath = path.join(outDir, 'package-lock.json')
  const tmp = lockPath + '.tmp'
  const fd = fs.openSync(tmp, 'w')
  let buf = []
  let len = 0
  let bytes = 0
  const out = (s) => {
    buf.push(s)
    len += s.length
    if (len > (1 << 20)) flush()
  }
  const flush = () => {
    const s = buf.join('')
    bytes += fs.writeSync(fd, s)
    buf = []
    len = 0
  }
  out(`{\n  "name": ${JSON.stringify(rootPkg.name)},\n  "version": ${JSON.stringify(rootPkg.version)},\n` +
    '  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {\n')
  const indent = (s) => s.replace(/\n/g, '\n    ')
  out('    "": ' + indent(JSON.stringify(rootEntry, null, 2)))
  // A code-point sort first leaves little for the collator to reorder.
  const order = nodes.filter((n) => n !== root)
    .sort((a, b) => a.loc < b.loc ? -1 : a.loc > b.loc ? 1 : 0)
    .sort((a, b) => collator.compare(a.loc, b.loc))
  for (const n of order) out(`,\n    ${JSON.stringify(n.loc)}: ` + entryText(n, seed))
  out('\n  }\n}\n')
  flush()
  fs.closeSync(fd)
  fs.renameSync(tmp, lockPath)
  return bytes
}

function summary (g, bytes, ms) {
  const c = { entries: 0, hoisted: 0, d2: 0, d3: 0, links: 0, targets: 0, dev: 0, optional: 0, devOptional: 0, peer: 0, extraneous: 0, prod: 0, inBundle: 0, platform: 0, edges: 0 }
  const names = new Set()
  for (const n of g.nodes) {
    if (n === g.root) continue
    c.edges += n.edges.length
    c.entries++
    if (n.kind === K_LINK) { c.links++; continue }
    if (n.kind === K_TARGET) { c.targets++; continue }
    names.add(n.pkgName || n.name)
    if (n.depth === 1) c.hoisted++; else if (n.depth === 2) c.d2++; else c.d3++
    const f = n.flags
    if (f & F_EXTRANEOUS) c.extraneous++
    else if (f & F_DEV) c.dev++
    else if (f & F_OPTIONAL) c.optional++
    else if (f & F_DEV_OPTIONAL) c.devOptional++
    else if (f & F_PEER) c.peer++
    else c.prod++
    if (n.inBundle) c.inBundle++
    if (n.platform) c.platform++
  }
  const pct = (x) => (100 * x / c.entries).toFixed(1) + '%'
  process.stderr.write(
    `gen-lockfile: ${c.entries} entries (${names.size} names; depth 1/2/3+: ${c.hoisted}/${c.d2}/${c.d3}; ` +
    `${c.links} links, ${g.W} workspaces), ${c.edges + g.root.edges.length} edges\n` +
    `gen-lockfile: flags: dev ${pct(c.dev)}, optional ${c.optional}, devOptional ${c.devOptional}, peer ${c.peer}, ` +
    `extraneous ${c.extraneous}, prod ${pct(c.prod)}; ${c.platform} platform, ${c.inBundle} inBundle\n` +
    `gen-lockfile: wrote package-lock.json, ${(bytes / 1e6).toFixed(1)} MB, in ${(ms / 1000).toFixed(1)}s\n`)
}

function main () {
  const o = parseArgs(process.argv.slice(2))
  const t0 = process.hrtime.bigint()
  const g = generate(o.packages, o.seed)
  for (const n of g.nodes) {
    if (n !== g.root && !(n.flags & F_EXTRANEOUS) !== !(n.role & R_EXTRANEOUS)) {
      fail(`internal: ${n.loc}: extraneous is ${!!(n.flags & F_EXTRANEOUS)}`)
    }
  }
  const bytes = write(g, o.out, o.seed)
  summary(g, bytes, Number(process.hrtime.bigint() - t0) / 1e6)
}

main()
