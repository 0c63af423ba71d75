#!/usr/bin/env python3
"""Extract terraform-plugin-sdk/v2 schema literals from Go source (no Go toolchain needed)
and lower them the way helper/schema's CoreConfigSchema does, emitting the JSON shape of
`terraform providers schema -json` (one provider).

Usage: goschema.py <git-dir> <tag-or-commit> <out.json> <out_forcenew.txt> <version> <out_extras.txt>
"""
import json, re, subprocess, sys

# ---------------------------------------------------------------- tokenizer
TOK = re.compile(r'''
  (?P<ws>[ \t\r\n]+)
 |(?P<lc>//[^\n]*)
 |(?P<bc>/\*.*?\*/)
 |(?P<raw>`[^`]*`)
 |(?P<str>"(?:\\.|[^"\\\n])*")
 |(?P<rune>'(?:\\.|[^'\\\n])*')
 |(?P<num>0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|[0-9][0-9_]*(?:\.[0-9]+)?)
 |(?P<id>[A-Za-z_][A-Za-z0-9_]*)
 |(?P<op>:=|==|!=|<=|>=|&&|\|\||\.\.\.|<-|[{}()\[\],:;.&*=+\-/<>!|%^])
''', re.S | re.X)


def tokenize(src):
    out, pos = [], 0
    while pos < len(src):
        m = TOK.match(src, pos)
        if not m:
            raise SyntaxError(f"bad char at {pos}: {src[pos:pos+30]!r}")
        pos = m.end()
        k = m.lastgroup
        if k in ('ws', 'lc', 'bc'):
            continue
        out.append((k, m.group(k)))
    out.append(('eof', ''))
    return out


def go_string(k, v):
    if k == 'raw':
        return v[1:-1]
    return json.loads(v)  # Go "..." escapes used here are JSON compatible


# ---------------------------------------------------------------- AST
class Comp:  # composite literal
    def __init__(self, typ, elems):
        self.typ, self.elems = typ, elems  # elems: list of (key|None, value)

    def __repr__(self):
        return f"Comp({self.typ},{len(self.elems)})"


class Call:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __repr__(self):
        return f"Call({self.fn})"


class Ref:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Ref({self.name})"


class FuncLit:
    pass


class Parser:
    def __init__(self, toks, i=0):
        self.t, self.i = toks, i

    def peek(self, o=0):
        return self.t[self.i + o]

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def expect(self, v):
        k, x = self.next()
        if x != v:
            raise SyntaxError(f"expected {v!r} got {x!r} at {self.i}: {self.ctx()}")

    def ctx(self):
        return ' '.join(x for _, x in self.t[max(0, self.i - 8):self.i + 8])

    def skip_balanced(self, o, c):
        self.expect(o)
        d = 1
        while d:
            k, x = self.next()
            if x == o:
                d += 1
            elif x == c:
                d -= 1

    def parse_type(self):
        """Parse a type expression; return its text."""
        k, x = self.peek()
        if x == '*':
            self.next()
            return '*' + self.parse_type()
        if x == '[':
            self.next()
            n = ''
            if self.peek()[1] != ']':
                n = self.next()[1]
            self.expect(']')
            return f'[{n}]' + self.parse_type()
        if x == 'map':
            self.next()
            self.expect('[')
            kt = self.parse_type()
            self.expect(']')
            return f'map[{kt}]' + self.parse_type()
        if x == '...':
            self.next()
            return '...' + self.parse_type()
        if x == 'chan':
            self.next()
            return 'chan ' + self.parse_type()
        if x == 'interface':
            self.next()
            self.skip_balanced('{', '}')
            return 'interface{}'
        if x == 'func':
            self.next()
            self.skip_balanced('(', ')')
            return 'func'
        name = self.next()[1]
        while self.peek()[1] == '.':
            self.next()
            name += '.' + self.next()[1]
        return name

    def parse_expr(self):
        v = self.parse_unary()
        while self.peek()[1] in ('+', '|'):
            op = self.next()[1]
            r = self.parse_unary()
            if op == '+' and isinstance(v, str) and isinstance(r, str):
                v = v + r
            else:
                v = ('binop', op, v, r)
        return v

    def parse_unary(self):
        k, x = self.peek()
        if x == '&':
            self.next()
            return self.parse_unary()
        if x == '-':
            self.next()
            v = self.parse_unary()
            return -v if isinstance(v, (int, float)) else ('neg', v)
        return self.parse_primary()

    def parse_primary(self):
        k, x = self.peek()
        if k in ('str', 'raw'):
            self.next()
            v = go_string(k, x)
        elif k == 'num':
            self.next()
            s = x.replace('_', '')
            v = float(s) if '.' in s else int(s, 0)
        elif x == '{':
            v = self.parse_comp_body(None)
        elif x == '(':
            self.next()
            v = self.parse_expr()
            self.expect(')')
        elif x in ('map', '[') :
            typ = self.parse_type()
            v = self.parse_comp_body(typ)
        elif x == 'func':
            self.next()
            self.skip_balanced('(', ')')
            # results
            if self.peek()[1] == '(':
                self.skip_balanced('(', ')')
            elif self.peek()[1] != '{':
                self.parse_type()
            self.skip_balanced('{', '}')
            v = FuncLit()
        elif k == 'id':
            self.next()
            if x == 'true':
                v = True
            elif x == 'false':
                v = False
            elif x == 'nil':
                v = None
            else:
                v = Ref(x)
        else:
            raise SyntaxError(f"unexpected {x!r} at {self.i}: {self.ctx()}")
        # postfix
        while True:
            k, x = self.peek()
            if x == '.' and isinstance(v, Ref):
                self.next()
                v = Ref(v.name + '.' + self.next()[1])
            elif x == '.':
                self.next()
                v = ('sel', v, self.next()[1])
            elif x == '(':
                self.next()
                args = []
                while self.peek()[1] != ')':
                    args.append(self.parse_expr())
                    if self.peek()[1] == ',':
                        self.next()
                self.expect(')')
                v = Call(v.name if isinstance(v, Ref) else v, args)
            elif x == '{' and isinstance(v, Ref):
                v = self.parse_comp_body(v.name)
            else:
                return v

    def parse_comp_body(self, typ):
        self.expect('{')
        elems = []
        while self.peek()[1] != '}':
            a = self.parse_expr()
            if self.peek()[1] == ':':
                self.next()
                b = self.parse_expr()
                elems.append((a, b))
            else:
                elems.append((None, a))
            if self.peek()[1] == ',':
                self.next()
        self.expect('}')
        return Comp(typ, elems)


# ---------------------------------------------------------------- package index
class Package:
    def __init__(self, gitdir, rev, files):
        self.funcs, self.vars = {}, {}
        for f in files:
            src = subprocess.run(['git', '--git-dir', gitdir, 'show', f'{rev}:{f}'],
                                 capture_output=True, text=True, check=True).stdout
            toks = tokenize(src)
            self.index(toks)

    def index(self, toks):
        i = 0
        depth = 0
        while toks[i][0] != 'eof':
            k, x = toks[i]
            if x in '{(':
                depth += 1
            elif x in '})':
                depth -= 1
            elif depth == 0 and x == 'func' and toks[i + 1][0] == 'id':
                name = toks[i + 1][1]
                p = Parser(toks, i + 2)
                params = []
                p.expect('(')
                while p.peek()[1] != ')':
                    nm = p.next()[1]
                    if p.peek()[1] not in (',', ')'):
                        p.parse_type()
                    params.append(nm)
                    if p.peek()[1] == ',':
                        p.next()
                p.expect(')')
                # result type then body
                if p.peek()[1] == '(':
                    p.skip_balanced('(', ')')
                elif p.peek()[1] != '{':
                    p.parse_type()
                body_start = p.i
                p.skip_balanced('{', '}')
                self.funcs[name] = (params, toks, body_start)
                i = p.i
                continue
            elif depth == 0 and x == 'var' and toks[i + 1][0] == 'id' and toks[i + 2][1] == '=':
                p = Parser(toks, i + 3)
                self.vars[toks[i + 1][1]] = p.parse_expr()
                i = p.i
                continue
            i += 1

    def call(self, name, args=()):
        """Evaluate a function whose body is `return <expr>` (the schema constructors)."""
        params, toks, start = self.funcs[name]
        p = Parser(toks, start)
        p.expect('{')
        while p.peek()[1] != 'return':
            p.next()
        p.next()
        expr = p.parse_expr()
        env = dict(zip(params, args))
        return self.subst(expr, env)

    def subst(self, v, env):
        if isinstance(v, Ref) and v.name in env:
            return env[v.name]
        if isinstance(v, Comp):
            return Comp(v.typ, [(self.subst(a, env) if a is not None else None, self.subst(b, env))
                                for a, b in v.elems])
        return v

    def resolve(self, v):
        if isinstance(v, Ref) and v.name in self.vars:
            return self.resolve(self.vars[v.name])
        if isinstance(v, Call) and isinstance(v.fn, str) and v.fn in self.funcs:
            return self.resolve(self.call(v.fn, [self.resolve(a) for a in v.args]))
        return v


# ---------------------------------------------------------------- SDK lowering
SCHEMA_FIELDS = {'Type', 'Optional', 'Required', 'Computed', 'ForceNew', 'Sensitive', 'Default',
                 'DefaultFunc', 'Elem', 'MaxItems', 'MinItems', 'Description', 'Deprecated',
                 'ConfigMode', 'Set', 'ConflictsWith', 'ExactlyOneOf', 'AtLeastOneOf',
                 'RequiredWith', 'ValidateFunc', 'ValidateDiagFunc', 'DiffSuppressFunc',
                 'DiffSuppressOnRefresh', 'StateFunc', 'InputDefault', 'ComputedWhen', 'Removed'}


def comp_fields(pkg, comp):
    d = {}
    for k, v in comp.elems:
        assert isinstance(k, Ref), (k, comp)
        d[k.name] = v
    return d


def to_schema(pkg, v):
    v = pkg.resolve(v)
    assert isinstance(v, Comp), v
    f = comp_fields(pkg, v)
    unknown = set(f) - SCHEMA_FIELDS
    assert not unknown, unknown
    return f


def schema_map(pkg, v):
    v = pkg.resolve(v)
    assert isinstance(v, Comp) and v.typ.startswith('map[string]'), v
    out = {}
    for k, s in v.elems:
        assert isinstance(k, str), k
        out[k] = to_schema(pkg, s)
    return out


def resource_fields(pkg, v):
    v = pkg.resolve(v)
    assert isinstance(v, Comp) and v.typ in ('schema.Resource',), v
    return comp_fields(pkg, v)


def elem_kind(pkg, s):
    e = s.get('Elem')
    if e is None:
        return None, None
    e = pkg.resolve(e)
    if isinstance(e, Comp) and e.typ == 'schema.Resource':
        return 'resource', e
    if isinstance(e, Comp) and e.typ == 'schema.Schema':
        return 'schema', e
    if isinstance(e, Ref) and e.name.startswith('schema.Type'):
        return 'valuetype', e
    raise ValueError(f"unknown Elem {e}")


def flag(s, k):
    v = s.get(k)
    if v is None:
        return False
    assert isinstance(v, bool), (k, v)
    return v


def cty_type(pkg, s):
    t = s['Type'].name
    if t == 'schema.TypeString':
        return 'string'
    if t == 'schema.TypeBool':
        return 'bool'
    if t in ('schema.TypeInt', 'schema.TypeFloat'):
        return 'number'
    coll = {'schema.TypeList': 'list', 'schema.TypeSet': 'set', 'schema.TypeMap': 'map'}[t]
    kind, e = elem_kind(pkg, s)
    if kind == 'schema':
        et = cty_type(pkg, comp_fields(pkg, e))
    elif kind == 'valuetype':
        et = cty_type(pkg, {'Type': e})
    elif kind == 'resource':
        et = implied_type(lower_block(pkg, schema_map(pkg, comp_fields(pkg, e)['Schema'])))
    else:
        et = 'string'
    return [coll, et]


def implied_type(block):
    attrs = {}
    for n, a in block.get('attributes', {}).items():
        attrs[n] = a['type']
    for n, b in block.get('block_types', {}).items():
        it = implied_type(b['block'])
        mode = b['nesting_mode']
        attrs[n] = it if mode in ('single', 'group') else [mode, it]
    return ['object', attrs]


def lower_attr(pkg, s):
    reqd, opt = flag(s, 'Required'), flag(s, 'Optional')
    if reqd and s.get('DefaultFunc') is not None:
        # EnvDefaultFunc(..., "") returns "" (non-nil) -> optional. Evaluate conservatively.
        reqd, opt = False, True
    a = {'type': cty_type(pkg, s)}
    desc = s.get('Description')
    if isinstance(desc, str) and desc:
        a['description'] = desc
    a['description_kind'] = DESC_KIND
    if s.get('Deprecated'):
        a['deprecated'] = True
    if reqd:
        a['required'] = True
    if opt:
        a['optional'] = True
    if flag(s, 'Computed'):
        a['computed'] = True
    if flag(s, 'Sensitive'):
        a['sensitive'] = True
    return a


def lower_nested_block(pkg, s, res):
    inner = lower_block(pkg, schema_map(pkg, comp_fields(pkg, res)['Schema']))
    desc = s.get('Description')
    if isinstance(desc, str) and desc and not inner.get('description'):
        inner['description'] = desc
    inner['description_kind'] = DESC_KIND
    if s.get('Deprecated'):
        inner['deprecated'] = True
    t = s['Type'].name
    nb = {'nesting_mode': {'schema.TypeList': 'list', 'schema.TypeSet': 'set',
                           'schema.TypeMap': 'map'}[t], 'block': inner}
    mn, mx = s.get('MinItems', 0), s.get('MaxItems', 0)
    if flag(s, 'Required') and mn == 0:
        mn = 1
    if flag(s, 'Optional') and mn > 0:
        mn = 0
    if flag(s, 'Computed') and not flag(s, 'Optional'):
        mn = mx = 0
    if mn:
        nb['min_items'] = mn
    if mx:
        nb['max_items'] = mx
    return nb


def lower_block(pkg, smap):
    block = {'attributes': {}, 'block_types': {}}
    for name, s in smap.items():
        if 'ConfigMode' in s:
            raise NotImplementedError('ConfigMode')
        kind, e = elem_kind(pkg, s)
        if kind is None:
            block['attributes'][name] = lower_attr(pkg, s)
            continue
        if s['Type'].name == 'schema.TypeMap' and kind == 'resource':
            s2 = dict(s)
            s2['Elem'] = Comp('schema.Schema', [(Ref('Type'), Ref('schema.TypeString'))])
            block['attributes'][name] = lower_attr(pkg, s2)
            continue
        if flag(s, 'Computed') and not flag(s, 'Optional'):
            block['attributes'][name] = lower_attr(pkg, s)
            continue
        if kind in ('schema', 'valuetype'):
            block['attributes'][name] = lower_attr(pkg, s)
        else:
            block['block_types'][name] = lower_nested_block(pkg, s, e)
    if not block['block_types']:
        del block['block_types']
    if not block['attributes']:
        del block['attributes']
    return block


def fmt_default(v):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, str):
        return json.dumps(v)
    return str(v)


def walk_flags(pkg, smap, prefix, out):
    """ForceNew / Default / DefaultFunc lines, path segments joined with '.'"""
    for name in sorted(smap):
        s = smap[name]
        path = f"{prefix}.{name}"
        if flag(s, 'ForceNew'):
            out.append(f"{path}: force_new")
        if 'Default' in s:
            out.append(f"{path}: default={fmt_default(s['Default'])}")
        kind, e = elem_kind(pkg, s)
        if kind == 'resource':
            walk_flags(pkg, schema_map(pkg, comp_fields(pkg, e)['Schema']), path, out)


def render(v):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, Ref):
        return v.name
    if isinstance(v, Call):
        fn = v.fn if isinstance(v.fn, str) else render(v.fn)
        return f"{fn}({', '.join(render(a) for a in v.args)})"
    if isinstance(v, Comp):
        inner = ', '.join((render(k) + ': ' if k is not None else '') + render(x) for k, x in v.elems)
        return f"{v.typ or ''}{{{inner}}}"
    if isinstance(v, FuncLit):
        return 'func(...){...}'
    return repr(v)


def walk_extras(pkg, smap, prefix, out):
    """Everything else the JSON cannot carry: Optional+Computed blocks, DefaultFunc,
    ConflictsWith & co., validation functions, deprecation messages, Set hash functions."""
    for name in sorted(smap):
        s = smap[name]
        path = f"{prefix}.{name}"
        kind, e = elem_kind(pkg, s)
        is_block = kind == 'resource' and not (flag(s, 'Computed') and not flag(s, 'Optional'))
        if is_block and flag(s, 'Computed'):
            out.append(f"{path}: optional_computed_block")
        if 'DefaultFunc' in s:
            out.append(f"{path}: default_func={render(s['DefaultFunc'])}")
        for k in ('ConflictsWith', 'ExactlyOneOf', 'AtLeastOneOf', 'RequiredWith'):
            if k in s:
                out.append(f"{path}: {k}={render(s[k])}")
        for k in ('ValidateFunc', 'ValidateDiagFunc'):
            if k in s:
                out.append(f"{path}: validate={render(s[k])}")
        for k in ('DiffSuppressFunc', 'StateFunc', 'Set'):
            if k in s:
                out.append(f"{path}: {k}={render(s[k])}")
        if s.get('Deprecated'):
            out.append(f"{path}: deprecated={render(s['Deprecated'])}")
        if kind == 'resource':
            walk_extras(pkg, schema_map(pkg, comp_fields(pkg, e)['Schema']), path, out)


def resource_schema(pkg, fn):
    r = resource_fields(pkg, pkg.call(fn))
    smap = schema_map(pkg, r['Schema'])
    block = lower_block(pkg, smap)
    block.setdefault('attributes', {})
    if 'id' not in block['attributes']:
        block['attributes']['id'] = {'type': 'string', 'description_kind': 'plain',
                                     'optional': True, 'computed': True}
    if r.get('Timeouts') is not None:
        raise NotImplementedError('Timeouts')
    desc = r.get('Description')
    if isinstance(desc, str) and desc:
        block['description'] = desc
        block['description_kind'] = DESC_KIND
    else:
        block['description_kind'] = 'plain'
    if r.get('DeprecationMessage'):
        block['deprecated'] = True
    return {'version': r.get('SchemaVersion', 0), 'block': block}, smap


DESC_KIND = 'markdown'  # provider.go sets schema.DescriptionKind = schema.StringMarkdown

RESOURCES = {
    'docker_service': 'resourceDockerService',
    'docker_network': 'resourceDockerNetwork',
    'docker_volume': 'resourceDockerVolume',
    'docker_secret': 'resourceDockerSecret',
    'docker_config': 'resourceDockerConfig',
}
DATA_SOURCES = {'docker_network': 'dataSourceDockerNetwork'}


def main():
    gitdir, rev, out_json, out_flags, version, out_extras = sys.argv[1:7]
    commit = subprocess.run(['git', '--git-dir', gitdir, 'rev-list', '-n1', rev],
                            capture_output=True, text=True, check=True).stdout.strip()
    files = subprocess.run(['git', '--git-dir', gitdir, 'ls-tree', '--name-only', rev,
                            'internal/provider/'], capture_output=True, text=True,
                           check=True).stdout.split()
    wanted = [f for f in files if f.endswith('.go') and not f.endswith('_test.go')
              and re.search(r'(docker_(service|network|volume|secret|config)[a-z_]*|helpers?|label)\.go$', f)]
    pkg = Package(gitdir, commit, wanted)
    out = {'provider_version': version,
           'source': f'github.com/kreuzwerker/terraform-provider-docker@{commit} (tag {rev}), internal/provider/',
           'resource_schemas': {}, 'data_source_schemas': {}}
    lines, extras = [], []
    for tname, fn in RESOURCES.items():
        sch, smap = resource_schema(pkg, fn)
        out['resource_schemas'][tname] = sch
        walk_flags(pkg, smap, tname, lines)
        walk_extras(pkg, smap, tname, extras)
    for tname, fn in DATA_SOURCES.items():
        sch, smap = resource_schema(pkg, fn)
        out['data_source_schemas'][tname] = sch
        walk_flags(pkg, smap, 'data.' + tname, lines)
        walk_extras(pkg, smap, 'data.' + tname, extras)
    with open(out_json, 'w') as fh:
        json.dump(out, fh, indent=2, sort_keys=True)
        fh.write('\n')
    with open(out_flags, 'w') as fh:
        fh.write('\n'.join(lines) + '\n')
    with open(out_extras, 'w') as fh:
        fh.write('\n'.join(extras) + '\n')
    print('parsed files:', ' '.join(wanted))


if __name__ == '__main__':
    main()
