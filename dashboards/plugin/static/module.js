/*
 * Frontend of the Rapport KPI datasource: an AMD module that Grafana loads with its own copies of React and
 * the @grafana packages. It has no build step. The backend (gpx_rapport_kpi_datasource) does the work; this
 * file only
 *   - interpolates dashboard variables in the query fields before a query goes to the backend,
 *   - offers a query editor that lists the KPIs from the backend's kpis resource,
 *   - offers a settings editor whose password is a secure setting (secureJsonData.password).
 */
define(['@grafana/data', '@grafana/runtime', '@grafana/ui', 'react'], function (data, runtime, ui, React) {
  'use strict';

  var h = React.createElement;
  var TEXT_FIELDS = ['kpi', 'brand', 'product', 'network', 'language', 'segment', 'interval', 'businessHours'];

  class RapportKPIDataSource extends runtime.DataSourceWithBackend {
    applyTemplateVariables(query, scopedVars) {
      var srv = runtime.getTemplateSrv();
      var out = Object.assign({}, query);
      TEXT_FIELDS.forEach(function (k) {
        if (typeof out[k] === 'string') {
          out[k] = srv.replace(out[k], scopedVars, 'csv');
        }
      });
      if (Array.isArray(out.kpis)) {
        out.kpis = out.kpis.map(function (k) { return srv.replace(k, scopedVars); });
      }
      return out;
    }

    filterQuery(query) {
      return !query.hide && (query.mode === 'compare' || !!query.kpi);
    }
  }

  var MODES = [
    { label: 'Series', value: 'series', description: 'one time series per brand' },
    { label: 'Value', value: 'value', description: 'one value per brand over the range' },
    { label: 'Compare', value: 'compare', description: 'every leadership KPI, this period and the one before' },
  ];

  function field(label, tooltip, child) {
    return h(ui.InlineField, { label: label, labelWidth: 14, tooltip: tooltip }, child);
  }

  function QueryEditor(props) {
    var query = props.query;
    var state = React.useState([]);
    var kpis = state[0];
    var setKpis = state[1];
    React.useEffect(function () {
      props.datasource.getResource('kpis').then(setKpis, function () { setKpis([]); });
    }, [props.datasource]);
    function set(key, value, run) {
      var next = Object.assign({}, query);
      next[key] = value;
      props.onChange(next);
      if (run) {
        props.onRunQuery();
      }
    }
    function text(key, placeholder, tooltip) {
      return field(key, tooltip, h(ui.Input, {
        width: 24, value: query[key] || '', placeholder: placeholder,
        onChange: function (e) { set(key, e.currentTarget.value, false); },
        onBlur: function () { props.onRunQuery(); },
      }));
    }
    var options = kpis.map(function (k) {
      return { label: k.title, value: k.name, description: k.description };
    });
    return h('div', null,
      h(ui.InlineFieldRow, null,
        field('Mode', 'what the query returns', h(ui.Select, {
          width: 24, options: MODES, value: query.mode || 'series',
          onChange: function (v) { set('mode', v.value, true); },
        })),
        (query.mode || 'series') === 'compare' ? null : field('KPI', 'a named KPI (formulas in docs/KPIS.md)', h(ui.Select, {
          width: 40, options: options, value: query.kpi, allowCustomValue: true,
          onChange: function (v) { set('kpi', v.value, true); },
        }))),
      h(ui.InlineFieldRow, null,
        text('brand', 'All watched brands', 'brand ids, comma-separated, or a variable such as ${brand:csv}'),
        text('product', 'All', 'one product id (brand/product) or All'),
        text('network', 'All', 'one network or All')),
      h(ui.InlineFieldRow, null,
        text('language', 'All', 'one language or All'),
        text('segment', 'All', 'one customer segment or All'),
        text('interval', 'auto', 'bucket width of a series: 1h, 6h, 1d, 1w'),
        text('businessHours', 'wall clock', 'first-response time in business hours, e.g. 9-17')),
      h(ui.InlineFieldRow, null,
        field('Components', 'add the parts of a composite KPI as series', h(ui.InlineSwitch, {
          value: !!query.components,
          onChange: function (e) { set('components', e.currentTarget.checked, true); },
        }))));
  }

  function ConfigEditor(props) {
    var options = props.options;
    var json = options.jsonData || {};
    var secure = options.secureJsonFields || {};
    var secureData = options.secureJsonData || {};
    function setJSON(key, value) {
      var jsonData = Object.assign({}, json);
      jsonData[key] = value;
      props.onOptionsChange(Object.assign({}, options, { jsonData: jsonData }));
    }
    function text(key, label, placeholder, tooltip, isNumber) {
      return field(label, tooltip, h(ui.Input, {
        width: 40, value: json[key] === undefined ? '' : String(json[key]), placeholder: placeholder,
        onChange: function (e) {
          var v = e.currentTarget.value;
          setJSON(key, isNumber ? (v === '' ? undefined : Number(v)) : v);
        },
      }));
    }
    return h('div', null,
      text('addr', 'Address', '127.0.0.1:9000', 'ClickHouse native-protocol host:port, several comma-separated'),
      text('database', 'Database', 'rapport', 'database holding posts and the KPI rollups'),
      text('username', 'User', 'default', 'a read-only ClickHouse user'),
      field('Password', 'stored encrypted; only the backend sees it', h(ui.SecretInput, {
        width: 40, isConfigured: !!secure.password, value: secureData.password || '',
        onReset: function () {
          props.onOptionsChange(Object.assign({}, options, {
            secureJsonFields: Object.assign({}, secure, { password: false }),
            secureJsonData: Object.assign({}, secureData, { password: '' }),
          }));
        },
        onChange: function (e) {
          props.onOptionsChange(Object.assign({}, options, {
            secureJsonData: Object.assign({}, secureData, { password: e.currentTarget.value }),
          }));
        },
      })),
      text('dialTimeoutSeconds', 'Timeout (s)', '5', 'connect and health-check timeout in seconds', true));
  }

  return {
    plugin: new data.DataSourcePlugin(RapportKPIDataSource).setConfigEditor(ConfigEditor).setQueryEditor(QueryEditor),
  };
});
