// Loads static/module.js with stand-ins for the modules Grafana provides, and checks what the module does
// without a browser: the plugin object, template-variable interpolation before a query reaches the backend,
// which queries are sent, and that both editors render with the React stand-in. Run by TestFrontendModule.
'use strict';
const fs = require('fs');
const path = require('path');
const assert = require('assert');

const calls = [];
class DataSourceWithBackend {
  constructor(settings) { this.settings = settings; }
  getResource(p) { calls.push(p); return Promise.resolve([{ name: 'trust_index', title: 'Trust index', description: 'd' }]); }
}
const vars = { brand: ['acme', 'zentro'], network: ['x'] };
const runtime = {
  DataSourceWithBackend,
  getTemplateSrv: () => ({
    replace: (s, scoped, format) => s.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (m, a, f, b) => {
      const v = vars[a || b];
      if (!v) { return m; }
      assert.strictEqual(f || format, 'csv', 'multi-value fields are interpolated as csv');
      return v.join(',');
    }),
  }),
};
class DataSourcePlugin {
  constructor(ds) { this.DataSourceClass = ds; }
  setConfigEditor(c) { this.components = Object.assign({}, this.components, { ConfigEditor: c }); return this; }
  setQueryEditor(c) { this.components = Object.assign({}, this.components, { QueryEditor: c }); return this; }
}
const rendered = [];
const React = {
  createElement: (type, props, ...children) => { rendered.push(type); return { type, props, children }; },
  useState: (v) => [v, () => {}],
  useEffect: (fn) => fn(),
};
const ui = new Proxy({}, { get: (_, name) => 'ui.' + String(name) });

let exported;
global.define = (deps, factory) => {
  const mods = { '@grafana/data': { DataSourcePlugin }, '@grafana/runtime': runtime, '@grafana/ui': ui, react: React };
  exported = factory(...deps.map((d) => mods[d]));
};
eval(fs.readFileSync(path.join(__dirname, '..', 'static', 'module.js'), 'utf8'));

const plugin = exported.plugin;
assert.ok(plugin instanceof DataSourcePlugin, 'module exports a DataSourcePlugin');
const ds = new plugin.DataSourceClass({});
assert.ok(ds instanceof DataSourceWithBackend, 'the datasource runs queries in the backend');

const q = ds.applyTemplateVariables({ refId: 'A', kpi: 'trust_index', brand: '${brand:csv}', network: '$network', product: "'__all__'", components: true }, {});
assert.deepStrictEqual(q, { refId: 'A', kpi: 'trust_index', brand: 'acme,zentro', network: 'x', product: "'__all__'", components: true });
assert.strictEqual(ds.filterQuery({ kpi: 'trust_index' }), true);
assert.strictEqual(ds.filterQuery({ mode: 'compare' }), true);
assert.strictEqual(ds.filterQuery({}), false, 'a query naming no KPI is not sent');
assert.strictEqual(ds.filterQuery({ kpi: 'x', hide: true }), false, 'a hidden query is not sent');

plugin.components.QueryEditor({ query: { refId: 'A' }, datasource: ds, onChange: () => {}, onRunQuery: () => {} });
assert.deepStrictEqual(calls, ['kpis'], 'the query editor lists the KPIs from the backend resource');
assert.ok(rendered.includes('ui.Select') && rendered.includes('ui.Input'), 'the query editor renders its fields');
rendered.length = 0;
let changed;
const cfg = plugin.components.ConfigEditor({ options: { jsonData: {}, secureJsonFields: { password: true } }, onOptionsChange: (o) => { changed = o; } });
assert.ok(rendered.includes('ui.SecretInput'), 'the password is a secret input');
// The password field's onChange puts the value in secureJsonData, never jsonData.
function find(node, type) {
  if (!node || typeof node !== 'object') { return null; }
  if (node.type === type) { return node; }
  for (const c of node.children || []) { const f = find(c, type); if (f) { return f; } }
  return null;
}
find(cfg, 'ui.SecretInput').props.onChange({ currentTarget: { value: 's3cret' } });
assert.strictEqual(changed.secureJsonData.password, 's3cret');
assert.ok(!('password' in changed.jsonData), 'no password in jsonData');
console.log('module.js: ok');
