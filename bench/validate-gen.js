#!/usr/bin/env node
// validate-gen.js: asks npm's own engine whether a generated project is one
// npm could have written.
//
//   node bench/validate-gen.js DIR
//
// Checks, with the @npmcli/arborist and json-stringify-nice inside the
// global npm:
//   1. the lockfile text is byte for byte what json-stringify-nice (npm's
//      lockfile writer) makes of its own parse: key order, indentation;
//   2. loadVirtual() loads it, and finds the root in sync with package.json,
//      so it trusts the stored flags (no flagsSuspect);
//   3. every edge resolves to a valid node, except optional peers with no
//      target (valid for npm too);
//   4. resetting every flag and running arborist's calcDepFlags gives back
//      the stored dev/optional/devOptional/peer/extraneous spelling;
//   5. arborist serializes the loaded tree back to the same bytes.
// Exit 0 when all pass, 1 otherwise. loadVirtual grows with the square of the
// entry count: keep DIR to a few thousand packages.
'use strict'

const fs = require('fs')
const path = require('path')
const { execSync } = require('child_process')

const dir = process.argv[2]
if (!dir) {
  process.stderr.write('usage: node bench/validate-gen.js DIR\n')
  process.exit(1)
}
const npmDir = path.join(execSync('npm root -g', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(), 'npm')
const arbDir = path.join(npmDir, 'node_modules', '@npmcli', 'arborist')
const Arborist = require(arbDir)
const calcDepFlags = require(path.join(arbDir, 'lib', 'calc-dep-flags.js'))
const stringify = require(path.join(npmDir, 'node_modules', 'json-stringify-nice'))

// How the lockfile spells a node's flags (arborist Shrinkwrap.metaFromNode).
const spell = (n) => n.extraneous ? 'extraneous'
  : [n.peer && 'peer', n.dev && 'dev', n.optional && 'optional',
      n.devOptional && !n.dev && !n.optional && 'devOptional'].filter(Boolean).join('+') || 'prod'

async function main () {
  const root = path.resolve(dir)
  const text = fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')
  const results = []
  const check = (name, ok, detail = '') => {
    results.push(ok)
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}\n`)
  }

  const swKeyOrder = ['name', 'version', 'lockfileVersion', 'resolved', 'integrity', 'requires', 'packages', 'dependencies']
  check('json-stringify-nice gives the same bytes', stringify(JSON.parse(text), swKeyOrder, 2) === text)

  const arb = new Arborist({ path: root, omitLockfileRegistryResolved: true })
  const t0 = Date.now()
  const tree = await arb.loadVirtual()
  const nodes = [...tree.inventory.values()]
  check('loadVirtual() loads it', true, `${nodes.length} nodes in ${Date.now() - t0} ms`)
  check('root in sync with package.json (stored flags trusted)', !arb[Symbol.for('flagsSuspect')])

  const edges = nodes.flatMap((n) => [...n.edgesOut.values()])
  const bad = edges.filter((e) => e.invalid || e.missing || (e.error && e.type !== 'peerOptional'))
  check('every edge valid', bad.length === 0, `${edges.length} edges` +
    (bad.length ? `; ${bad.length} bad, e.g. ${bad.slice(0, 5).map((e) => `${e.from.location} -> ${e.name}@${e.spec} (${e.type}, ${e.error})`).join('; ')}` : ''))
  const absent = edges.filter((e) => !e.to)
  check('edges without a target are optional peers only', absent.every((e) => e.type === 'peerOptional'),
    `${absent.length} absent`)

  // Before recomputing the flags, which changes the tree arborist would write.
  const again = await tree.meta.toString()
  check('arborist writes the loaded tree back byte for byte', again === text)

  const stored = new Map(nodes.map((n) => [n, spell(n)]))
  for (const n of nodes) if (!n.isRoot) n.resetDepFlags()
  calcDepFlags(tree)
  const differ = nodes.filter((n) => !n.isRoot && spell(n) !== stored.get(n))
  check('recomputed flags equal the stored ones', differ.length === 0,
    differ.slice(0, 5).map((n) => `${n.location}: stored ${stored.get(n)}, computed ${spell(n)}`).join('; '))

  const tally = {}
  for (const n of nodes) if (!n.isRoot && !n.isLink) tally[spell(n)] = (tally[spell(n)] || 0) + 1
  process.stdout.write(`     flags: ${JSON.stringify(tally)}; links ${nodes.filter((n) => n.isLink).length}, ` +
    `inBundle ${nodes.filter((n) => n.inBundle).length}\n`)
  process.exit(results.every(Boolean) ? 0 : 1)
}

main().catch((e) => {
  process.stdout.write(`FAIL loadVirtual() throws: ${e.code || ''} ${e.message}\n`)
  process.exit(1)
})
