#!/usr/bin/env python3
"""Cross-check the generated schema JSON against tfplugindocs-generated docs/*.md at the same commit."""
import json, re, subprocess, sys
gitdir, rev, js = sys.argv[1:4]
d = json.load(open(js))
DOCS = {('resource_schemas', t): f'docs/resources/{t[len("docker_"):]}.md' for t in d['resource_schemas']}
DOCS[('data_source_schemas', 'docker_network')] = 'docs/data-sources/network.md'

def tname(t):
    if isinstance(t, str):
        return {'string': 'String', 'number': 'Number', 'bool': 'Boolean'}[t]
    if t[0] == 'object':
        return 'Object'
    return {'list': 'List', 'set': 'Set', 'map': 'Map'}[t[0]] + ' of ' + tname(t[1])

def expect(block, path, out):
    for n, a in block.get('attributes', {}).items():
        cat = 'Required' if a.get('required') else ('Read-Only' if a.get('computed') and not a.get('optional') else 'Optional')
        out[(path, n)] = (cat, tname(a['type']))
    for n, b in block.get('block_types', {}).items():
        lab = 'Block ' + {'list': 'List', 'set': 'Set', 'map': 'Map'}[b['nesting_mode']]
        ex = []
        if b.get('min_items'): ex.append(f"Min: {b['min_items']}")
        if b.get('max_items'): ex.append(f"Max: {b['max_items']}")
        if ex: lab += ', ' + ', '.join(ex)
        out[(path, n)] = ('Required' if b.get('min_items') else 'Optional', lab)
        expect(b['block'], f'{path}.{n}' if path else n, out)

def parse_md(text):
    got, path, cat = {}, '', None
    for line in text.splitlines():
        m = re.match(r'### Nested Schema for `([^`]*)`', line)
        if m: path, cat = m.group(1), None; continue
        m = re.match(r'(?:### )?(Required|Optional|Read-Only):?\s*$', line)
        if m: cat = m.group(1); continue
        m = re.match(r'- `([^`]+)` \(([^)]*)\)', line)
        if m and cat:
            typ = m.group(2)
            typ = re.sub(r', Deprecated$', '', typ)
            typ = re.sub(r', Sensitive$', '', typ)
            got[(path, m.group(1))] = (cat, typ)
    return got

bad = 0
for key, doc in DOCS.items():
    text = subprocess.run(['git', '--git-dir', gitdir, 'show', f'{rev}:{doc}'], capture_output=True, text=True).stdout
    exp = {}
    expect(d[key[0]][key[1]]['block'], '', exp)
    got = parse_md(text)
    print(f'== {key[1]} ({doc}): {len(exp)} schema entries, {len(got)} doc entries')
    exp.pop(('', 'id'), None); got.pop(('', 'id'), None)  # tfplugindocs always lists top-level id as Read-Only
    for k in sorted(set(exp) | set(got)):
        if exp.get(k) != got.get(k):
            bad += 1
            print('  DIFF', '.'.join(x for x in k if x), 'schema=', exp.get(k), 'docs=', got.get(k))
print('differences:', bad)
