#!/usr/bin/env node
// gen-tree.js: an installed node_modules for a generated project, for the
// pack benchmark (compare-pack.sh).
//
//   node bench/gen-tree.js DIR [--seed S]
//
// DIR is a project written by gen-lockfile.js. For every entry of its
// package-lock.json this writes what `npm ci` would have put there: the
// package folder with a package.json naming the entry's name and version,
// and a deterministic spread of files shaped like the corpus installs
// (about 10 files per package, 95% under 4 KiB, the rest up to 100 KiB, in
// lib/, dist/ and the package root; one in 50 packages ships an executable)
// and filled with made-up JavaScript that deflates about as well as the
// corpus' own (2.5:1 over the tree; storefront-web's closure 2.8:1),
// a symlink for each link entry, and the workspace and file: folders the
// links point at already exist (gen-lockfile.js wrote them). Same lockfile
// and seed, same tree. Only node's standard library is used.
'use strict'

const fs = require('fs')
const path = require('path')

const args = process.argv.slice(2)
if (!args[0]) {
  console.error('usage: node bench/gen-tree.js DIR [--seed S]')
  process.exit(2)
}
const dir = path.resolve(args[0])
const seedAt = args.indexOf('--seed')
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 1

// mulberry32: small, fast, same sequence everywhere
function generator (state) {
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = generator(seed)

const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8'))
// The files' text: slices of one 4 MiB pool of made-up source lines
// (statement openings, identifiers, numbers, strings; each run of 40 lines
// draws its identifiers from 16 of a vocabulary of 300, as a scope would),
// each file starting at its own offset. The byte pattern used before
// repeated every 90 bytes and deflated 13:1, so a cold pack of the tree
// cost a third of what a real one of its size does. The pool has a
// generator of its own: the tree's shape (which files, how large) is drawn
// from `random` as before, file for file.
const source = (() => {
  const next = generator(seed ^ 0x5bd1e995)
  const pick = (list) => list[Math.floor(next() * list.length)]
  const syllables = ['ba', 'co', 'de', 'fi', 'get', 'set', 'la', 'mo', 'nu', 'pre', 're', 'to',
    'val', 'han', 'dle', 'ex', 'port', 'in', 'it', 'con', 'fig', 'par', 'se', 'st', 'ream', 'ca',
    'che', 'op', 'ti', 'on', 'us', 'er', 'no']
  const words = []
  for (let i = 0; i < 300; i++) {
    let word = ''
    for (let n = 1 + Math.floor(next() * 3), j = 0; j < n; j++) {
      const s = pick(syllables)
      word += j ? s[0].toUpperCase() + s.slice(1) : s
    }
    words.push(word)
  }
  const starts = ['const ', 'let ', 'return ', 'if (', 'function ', 'this.', 'new ', 'await ',
    'typeof ', 'throw new Error(', 'Object.defineProperty(exports, ', 'module.exports.',
    'const { ', 'return new Promise((resolve, reject) => ', 'export function ', 'export const ',
    'if (typeof ', 'for (let i = 0; i < ', '} else if (', 'var _this = this; ']
  const joins = [' = ', ' === ', ' + ', ' && ', ' || ', ', ', '.', '(', ')', ' ? ', ' : ']
  const lines = []
  let size = 0
  let depth = 0
  let local = []
  while (size < 1 << 22) {
    if (lines.length % 40 === 0) local = Array.from({ length: 16 }, () => pick(words))
    let line = '  '.repeat(depth) + pick(starts)
    for (let n = 2 + Math.floor(next() * 6), i = 0; i < n; i++) {
      const r = next()
      line += r < 0.7 ? pick(local) : r < 0.85 ? String(Math.floor(next() * 1000)) : `'${pick(words)}'`
      if (i < n - 1) line += pick(joins)
    }
    const opens = next() < 0.2
    line += opens ? ' {\n' : ';\n'
    if (opens) depth = Math.min(depth + 1, 4)
    else if (depth && next() < 0.25) line += '  '.repeat(--depth) + '}\n'
    lines.push(line)
    size += line.length
  }
  const pool = Buffer.from(lines.join(''))
  return (bytes) => {
    const at = Math.floor(next() * (pool.length - bytes))
    return pool.subarray(at, at + bytes)
  }
})()

let files = 0
let bytes = 0
for (const [location, entry] of Object.entries(lock.packages)) {
  if (location === '' || !location.includes('node_modules/')) continue
  const at = path.join(dir, location)
  if (entry.link) {
    fs.mkdirSync(path.dirname(at), { recursive: true })
    const target = path.join(dir, entry.resolved)
    fs.rmSync(at, { force: true, recursive: true })
    fs.symlinkSync(path.relative(path.dirname(at), target), at)
    continue
  }
  const name = entry.name || location.slice(location.lastIndexOf('node_modules/') + 13)
  fs.mkdirSync(at, { recursive: true })
  const pkg = { name, version: entry.version }
  if (entry.os) pkg.os = entry.os
  if (entry.cpu) pkg.cpu = entry.cpu
  if (entry.libc) pkg.libc = entry.libc
  fs.writeFileSync(path.join(at, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
  const count = 3 + Math.floor(random() * 15)
  for (let i = 0; i < count; i++) {
    const sub = ['', 'lib/', 'dist/', 'lib/util/'][Math.floor(random() * 4)]
    const size = random() < 0.95 ? Math.floor(random() * 4096) : Math.floor(random() * 100000)
    const file = path.join(at, sub + 'f' + i + (random() < 0.7 ? '.js' : '.d.ts'))
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, source(size))
    files++
    bytes += size
  }
  if (random() < 0.02) {
    fs.writeFileSync(path.join(at, 'cli.js'), '#!/usr/bin/env node\n', { mode: 0o755 })
    files++
  }
}
console.log(JSON.stringify({ dir, files, bytes }))
