// Every route the emulator answers, as data: docs/reference/emulator.md lists it, and
// test/emulator/routes.test.ts calls each one to prove the server still answers it.
export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string; // {id}: an entity id; {collection}: connections, sourceConnections, targetConnections, flows
  what: string;
}

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/ims/token/v3', what: 'IMS OAuth server-to-server token (client_credentials form)' },
  { method: 'GET', path: '/data/foundation/flowservice/connectionSpecs', what: 'connection specs (Kinesis, Event Hubs, Profile Store); filterable with property=' },
  { method: 'GET', path: '/data/foundation/flowservice/connectionSpecs/{id}', what: 'one connection spec' },
  { method: 'GET', path: '/data/foundation/flowservice/flowSpecs', what: 'flow specs (Profile Based Destinations)' },
  { method: 'GET', path: '/data/foundation/flowservice/flowSpecs/{id}', what: 'one flow spec' },
  { method: 'GET', path: '/data/foundation/flowservice/{collection}', what: 'list, with property=, orderby=, limit=, start= and count=true; _page and _links.next' },
  { method: 'POST', path: '/data/foundation/flowservice/{collection}', what: 'create: 201 with id and etag' },
  { method: 'GET', path: '/data/foundation/flowservice/{collection}/{id}', what: 'read one ({items: [entity]}), secrets masked' },
  { method: 'PATCH', path: '/data/foundation/flowservice/{collection}/{id}', what: 'JSON Patch with If-Match (412 when the etag moved)' },
  { method: 'DELETE', path: '/data/foundation/flowservice/{collection}/{id}', what: 'delete with If-Match; a connection still used by a flow is refused' },
  { method: 'POST', path: '/data/foundation/flowservice/flows/{id}/action', what: 'op=enable or op=disable' },
  { method: 'GET', path: '/data/foundation/flowservice/runs', what: 'dataflow runs, produced for enabled flows on the emulator\'s clock; property= filters and paging' },
  { method: 'GET', path: '/data/foundation/flowservice/runs/{id}', what: 'one run' },
  { method: 'GET', path: '/data/core/ups/audiences', what: 'audiences of the sandbox, paged, with property=name==…' },
  { method: 'GET', path: '/data/core/ups/audiences/{id}', what: 'one audience' },
  { method: 'DELETE', path: '/data/core/ups/audiences/{id}', what: 'delete an audience (refused while a flow activates it)' },
  { method: 'GET', path: '/data/core/ups/segment/definitions', what: 'segment definitions (the older Segmentation API)' },
  { method: 'POST', path: '/data/core/ups/segment/definitions', what: 'create a segment definition' },
  { method: 'GET', path: '/data/core/ups/segment/definitions/{id}', what: 'one segment definition' },
  { method: 'DELETE', path: '/data/core/ups/segment/definitions/{id}', what: 'delete a segment definition' },
  { method: 'GET', path: '/data/foundation/sandbox-management/sandboxes', what: 'the org\'s sandboxes' },
  { method: 'GET', path: '/data/foundation/sandbox-management/sandboxes/{id}', what: 'one sandbox by name' },
  { method: 'GET', path: '/__emulator/requests', what: 'admin: the request log and counters' },
  { method: 'DELETE', path: '/__emulator/requests', what: 'admin: clear the request log' },
  { method: 'GET', path: '/__emulator/counters', what: 'admin: request counters by method and status' },
  { method: 'GET', path: '/__emulator/faults', what: 'admin: the fault settings in force' },
  { method: 'PUT', path: '/__emulator/faults', what: 'admin: change fault settings (merged over the current ones)' },
  { method: 'PATCH', path: '/__emulator/faults', what: 'admin: the same as PUT' },
  { method: 'POST', path: '/__emulator/edit', what: 'admin: an out-of-band edit, as a person in the AEP UI would make ({sandbox, collection, id, ops})' },
  { method: 'POST', path: '/__emulator/tokens', what: 'admin: issue a token without IMS ({clientId?, ttlSeconds?})' },
  { method: 'POST', path: '/__emulator/sandboxes', what: 'admin: add a sandbox ({name, orgId?})' },
  { method: 'POST', path: '/__emulator/clients', what: 'admin: add an API client in an org ({clientId, orgId})' },
  { method: 'POST', path: '/__emulator/audiences', what: 'admin: add audiences ({sandbox, name, id?, orgId?, …} or an array)' },
  { method: 'GET', path: '/__emulator/state', what: 'admin: the whole store (secrets omitted)' },
  { method: 'POST', path: '/__emulator/reset', what: 'admin: empty the store, the log and the faults (sandboxes, clients and audiences stay)' },
];
