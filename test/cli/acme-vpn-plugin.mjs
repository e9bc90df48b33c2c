// A user source as a plain ES module, the way `--source-module` takes it: importing it registers ACME_VPN
// through the package's public API (`ocsf-lake` resolves to this package's build). NDJSON lines
// `{"acme_vpn": "<user>", "at": "<ISO time>", "ok": true|false}` → OCSF 1.1.0 Authentication (3002).
import { defineSource, isObject, MapFailure, parseJsonValues, registerSource } from 'ocsf-lake';

const NAME = 'ACME_VPN';

registerSource(
  defineSource({
    name: NAME,
    title: 'ACME VPN log (CLI test plugin)',
    custom: true,
    versions: {
      '1.0': { ocsfVersion: '1.1.0', classes: [3002], profiles: [], attributes: ['metadata.product.name', 'metadata.product.vendor_name', 'user.name', 'dst_endpoint.svc_name', 'status_id', 'status'] },
    },
    decoders: [{ format: 'acme-vpn-ndjson', sniff: (head) => head.includes('"acme_vpn"'), decode: (input) => parseJsonValues(input.text, input.context, NAME) }],
    createMapper: (version) => ({
      source: NAME,
      version,
      ocsfVersion: '1.1.0',
      map(raw, context) {
        if (!isObject(raw)) return new MapFailure('not-an-object', 'an ACME VPN record is a JSON object', NAME, raw, context);
        const time = Date.parse(String(raw.at));
        if (Number.isNaN(time)) return new MapFailure('invalid-time', `at ${JSON.stringify(raw.at)} is not a time`, NAME, raw, context);
        const ok = raw.ok !== false;
        return {
          class_uid: 3002,
          class_name: 'Authentication',
          category_uid: 3,
          category_name: 'Identity & Access Management',
          activity_id: 1,
          activity_name: 'Logon',
          type_uid: 300201,
          type_name: 'Authentication: Logon',
          severity_id: 1,
          severity: 'Informational',
          time,
          metadata: { version: '1.1.0', product: { name: 'ACME VPN', vendor_name: 'ACME' } },
          user: { name: String(raw.acme_vpn) },
          dst_endpoint: { svc_name: 'vpn.acme.example' },
          status_id: ok ? 1 : 2,
          status: ok ? 'Success' : 'Failure',
        };
      },
    }),
  }),
);
