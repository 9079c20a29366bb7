#!/usr/bin/env node
// gen_semver_cases.js: writes semver_cases.tsv, the expectations of
// tests/semver_test.cc, by asking node-semver itself (the copy bundled with
// npm, which is what npm and arborist run).
//
//   node tests/data/gen_semver_cases.js
//
// Each row is `version<TAB>range<TAB>satisfies<TAB>satisfies_include_prerelease
// <TAB>range_valid`, where satisfies is semver.satisfies(version, range,
// {loose: true[, includePrerelease: true]}) and range_valid is whether
// new semver.Range(range, {loose: true}) does not throw. Fields are escaped so
// the file stays one row per line and plain ASCII: `\\` is a backslash and
// `\uXXXX` a UTF-16 code unit (every control and non-ASCII character).
'use strict';

const fs = require('fs');
const path = require('path');
const { execSync } = require('child_process');

const npmRoot = execSync('npm root -g', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const semverDir = path.join(npmRoot, 'npm/node_modules/semver');
const semver = require(semverDir);
const semverVersion = require(path.join(semverDir, 'package.json')).version;

// Groups of ranges, each checked against every version of its group.
const groups = [
  {
    name: 'caret',
    ranges: ['^1.2.3', '^0.2.3', '^0.0.3', '^1.2', '^0.2', '^0.0', '^1', '^0', '^1.x', '^0.x', '^0.0.x',
      '^*', '^x.1', '^1.2.x', '^1.2.3-beta.2', '^0.0.3-beta', '^0.2.3-rc.1', '^ 1.2.3', '^v1.2.3',
      '^00.1.2', '^0.0.0', '^0.0.0-0', '^1.2.3 ^1.3.0', '^'],
    versions: ['0.0.3', '0.0.4', '0.2.3', '0.2.9', '0.3.0', '1.2.2', '1.2.3', '1.9.9', '2.0.0',
      '1.2.3-beta.3', '1.2.4-beta', '0.0.3-beta.1', '2.0.0-0', '0.0.0'],
  },
  {
    name: 'tilde',
    ranges: ['~1.2.3', '~1.2', '~1', '~0.2.3', '~0', '~1.2.3-beta.2', '~>1.2.3', '~> 1.2', '~ 1', '~*',
      '~x.1', '~1.x', '~v1.2.3', '~1.2.x', '~>', '~0.0.0'],
    versions: ['1.2.2', '1.2.3', '1.2.9', '1.3.0', '1.0.0', '1.9.0', '2.0.0', '0.2.5', '0.3.0',
      '1.2.3-beta.3', '1.2.4-beta', '1.3.0-0', '0.0.0'],
  },
  {
    name: 'x-ranges and comparators',
    ranges: ['*', '', 'x', 'X', '1.x', '1.X', '1.*', '1.2.x', '1.x.x', '1', '1.2', 'x.x.x', '=1.2.3',
      '1.2.3', 'v1.2.3', '=v1.2.3', '==1.2.3', '>1.2.3', '>=1.2.3', '<1.2.3', '<=1.2.3', '>1.2', '>1',
      '<=1.2', '<=1', '<1.x', '>=1.x', '=1.x', '>x', '<x', '>=x', '<=*', '=*', 'x.1', '1.x.2', '*.1',
      '>= 1.2.3', '< 1.2.3', '> = 1.2.3', '>=0.0.0', '>=0.0.0-0', '>=0', '<0.0.0-0', '1.2.3-beta.2',
      '>=1.2.3-beta.2 <1.2.4', '>1.2.3-beta.2', '<=1.2.3-beta.2', '1.2.3-beta.2 <2', '<2.0.0-0',
      '>=1.2.3 <1.3.0-0', '=>1.2.3', '!1.2.3'],
    versions: ['0.0.0', '0.0.0-0', '1.2.2', '1.2.3', '1.2.4', '1.3.0', '2.0.0', '1.2.3-beta.1',
      '1.2.3-beta.2', '1.2.3-beta.11', '1.2.4-alpha'],
  },
  {
    name: 'hyphen ranges',
    ranges: ['1.2.3 - 2.3.4', '1.2 - 2.3.4', '1.2.3 - 2.3', '1.2.3 - 2', '1 - 2', '* - 2', '1.2.3 - *',
      'x - x', '1.2.3-beta - 2.3.4-rc.1', 'v1.2.3 - v2.3.4', '=1.2.3 - =2.3.4', '1.2.3 - = 2.0.0',
      '1.2.3 -2.3.4', '1.2.3- 2.3.4', '1.2.3  -  2.3.4', '0.0.0 - 1', '1.2.3 - 2.3.4 - 3',
      '1.2.3 - 2.3.4 || 3.x', '1.2.3+b - 2.3.4+c'],
    versions: ['0.0.0', '1.2.2', '1.2.3', '2.3.4', '2.3.5', '2.4.0', '3.0.0', '1.5.0-beta', '2.3.4-rc.1',
      '2.3.4-rc.2'],
  },
  {
    name: 'sets and unions',
    ranges: ['1.x || >=2.5.0', '^1.0.0 || ^2.0.0', '1.2.3 ||', '|| 1.2.3', '1.2.3 || || 2.0.0',
      '* || 1.2.3-beta', '1.2.3-beta || *', '>=1.0.0 <2.0.0 || >=3.0.0', '1.2.7 || >=1.2.9 <2.0.0',
      '<1.0.0 >2.0.0', '>=1.2.3 <1.2.3', '1.2.3 || latest', 'latest || 2', '1.2.3 | 2.0.0',
      '1.2.3 ||| 2.0.0', '1.2.3||2.0.0', '>=1.2.3-alpha <1.2.3 || 2.x', 'x.1 1.2.3', '* 1.2.3',
      '1.2.3 *', 'x.1 * x.1', '* x.1', 'x.1 *', '<0.0.0-0 || 1.2.3', '>x || 1.2.3', '^1.2.3 latest'],
    versions: ['1.2.3', '1.2.8', '1.2.9', '1.9.0', '2.0.0', '2.5.0', '3.1.0', '1.2.3-beta',
      '1.2.3-alpha.1'],
  },
  {
    name: 'build metadata',
    ranges: ['1.2.3+build', '^1.2.3+build', '>=1.2.3+build.1 <2', '+build', '1.2.3 +build',
      '1.2.3-beta+exp.sha.5114f85', '1.2.3+', '1.2.3++b', '~1.2.3+b.c', '>1.2.3+b'],
    versions: ['1.2.3', '1.2.3+anything', '1.2.3-beta', '1.2.3-beta+x', '1.2.4', '1.2.3+'],
  },
  {
    name: 'loose forms',
    ranges: ['1.2.3beta', '>=1.2.3beta', '>=01.2.3', '~01.2.3', '1.2.34.5', '=1.2.3', 'v=1.2.3',
      '= v 1.2.3', '1.2.3-', '1.2.3-.a', '>=1.2.3-', '^1.2.3-+b'],
    versions: ['1.2.3', '1.2.3-beta', '1.2.3-4.5', '1.2.34.5', '01.02.03', '1.2.3beta', 'v1.2.3',
      '=1.2.3', 'v=1.2.3', ' = v 1.2.3 ', '1.2.3-', '1.2.3-.a', 'V1.2.3', '1.2', '1.2.3.4', ''],
  },
  {
    name: 'not ranges',
    ranges: ['latest', 'next', 'github:x/y', 'x/y', 'file:../a', 'npm:foo@1', 'git+https://github.com/a/b.git',
      'https://example.com/a.tgz', '@scope/pkg', 'workspace:*', '1.2.3.4', '>=', '~', '-', '||', ' ',
      'not a range', 'a || b', '1.2.3 foo', '*.*.*.*', '1.2.3-beta..1', 'v'],
    versions: ['1.2.3', '2.0.0'],
  },
  {
    name: 'whitespace',
    ranges: ['  ^1.2.3  ', '>=\t1.2.3', '1.2.3\n||\n2.0.0', '\u00a0^1.2.3', '^1.2.3\u3000<1.5.0',
      '\ufeff1.2.3', '1.2.3\u200b', '1.2.3\u2028||\u20292.0.0', '~\u00a01.2', '1.2.3\u0085'],
    versions: ['1.2.3', '1.4.0', '2.0.0', ' 1.2.3 ', 'v 1.2.3', '\u00a01.2.3', '1.2.3\u3000',
      '\u180e1.2.3', '1.2.3\t'],
  },
  {
    name: 'engines (includePrerelease)',
    ranges: ['>=14.17.0', '^14.17.0 || ^16.13.0 || >=18.0.0', '>=18', '18.x', '~18.0', '>=16 <21',
      '^18.0.0-0', '>=18.0.0-0', '*'],
    versions: ['14.17.0', '16.13.1', '18.0.0', '18.0.0-pre', '20.0.0-nightly.20230101', '21.0.0-rc.1',
      '18.19.0', '12.22.12'],
  },
  {
    name: 'prerelease order',
    ranges: ['>=1.0.0-alpha', '<1.0.0-alpha.1', '1.0.0-alpha.beta', '>1.0.0-beta.2 <1.0.0-beta.11',
      '>=1.0.0-rc.1 <1.0.0', '1.0.0-01', '>1.0.0-9', '>1.0.0-a', '<1.0.0-a-b', '>1.0.0-alpha.1'],
    versions: ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2',
      '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.0-1', '1.0.0-10', '1.0.0-A', '1.0.0--'],
  },
];

// Numbers past MAX_SAFE_INTEGER, digit runs past the regexes' 256 and
// identifiers past their 250, and `+x + 1` printed in exponent form.
const nines = (n) => '9'.repeat(n);
const pairs = [];
for (const [r, versions] of [
  ['9007199254740991.0.0', ['9007199254740991.0.0']],
  ['9007199254740992.0.0', ['9007199254740992.0.0', '1.0.0']],
  ['^9007199254740990', ['9007199254740990.5.0']],
  ['^9007199254740991', ['9007199254740991.0.0']],
  ['~1.9007199254740990', ['1.9007199254740990.3']],
  ['<=9007199254740990.x', ['9007199254740990.1.1']],
  ['<=9007199254740991.x', ['1.0.0']],
  ['>1.9007199254740991', ['2.0.0']],
  ['1.2.3 <=999999999999999999999.x', ['1.2.3']],
  ['1.2.3 <=99999999999999999999.x', ['1.2.3']],
  ['~5.1.99999999999999999999', ['5.1.0']],
  ['^1.2.3 || >=99999999999999999999', ['1.5.0']],
  ['<5.1.1234567890123456789012.x', ['5.1.0', '5.2.0']],
  ['<=5.123456789012345678901234.x', ['5.0.0', '6.0.0']],
  ['1.2.' + nines(257), ['1.2.3']],
  ['1.2.3 1.2.' + nines(300), ['1.2.3']],
  ['1.2.3 1.2.' + nines(600), ['1.2.3']],
  ['1.2.3 1.' + nines(257) + '.3', ['1.2.3']],
  ['>=1.2.3-' + 'a'.repeat(251), ['1.2.3']],
  ['>=1.2.3-' + 'a'.repeat(252), ['1.2.3']],
  ['1.2.3 - 1.2.3-' + 'c'.repeat(249), ['1.2.3-' + 'd'.repeat(10)]],
  ['1.2.3 - 1.2.3-' + 'c'.repeat(251), ['1.2.3-' + 'd'.repeat(10)]],
  ['>=1.2.3-9007199254740993', ['1.2.3-9007199254740992', '1.2.3-9007199254740994', '1.2.3-a']],
  ['<1.2.3-99999999999999999999.b', ['1.2.3-99999999999999999998.a', '1.2.3-99999999999999999998']],
  ['*', ['1.2.' + nines(20), '1.2.3-' + 'e'.repeat(250), '1.2.3-' + 'e'.repeat(251), ' '.repeat(250) + '1.2.3',
    ' '.repeat(251) + '1.2.3', '\u3000'.repeat(250) + '1.2.3']],
]) {
  for (const v of versions) pairs.push([v, r]);
}

for (const g of groups) {
  for (const r of g.ranges) for (const v of g.versions) pairs.push([v, r]);
}

const escape = (s) => s.replace(/[\\\u0000-\u001f\u007f-\uffff]/g,
  (c) => c === '\\' ? '\\\\' : '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
const satisfies = (v, r, includePrerelease) => semver.satisfies(v, r, { loose: true, includePrerelease });
const valid = (r) => {
  try {
    new semver.Range(r, { loose: true });
    return true;
  } catch (e) {
    return false;
  }
};

const lines = [
  `# generated by gen_semver_cases.js from node-semver ${semverVersion}; do not edit`,
  'version\trange\tsatisfies\tsatisfies_include_prerelease\trange_valid',
];
for (const [v, r] of pairs) {
  lines.push([escape(v), escape(r), +satisfies(v, r, false), +satisfies(v, r, true), +valid(r)].join('\t'));
}
fs.writeFileSync(path.join(__dirname, 'semver_cases.tsv'), lines.join('\n') + '\n');
console.log(`wrote ${pairs.length} cases`);
