// graphql-http's GraphQL-over-HTTP conformance audit against a live server.
//
//   node clients/audit.mjs http://127.0.0.1:8000/graphql
//
// Prints {"results": [{id, name, status, reason?, response?}, ...], "counts": {...}} and exits 1
// when any result is not "ok" (MUST -> error, SHOULD -> warn, MAY -> notice).
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs <graphql url>");
  process.exit(2);
}

async function describe(response) {
  if (!response) return null;
  let body;
  try {
    // The audit may already have read the body (it parses JSON for some checks).
    body = await response.clone().text();
  } catch (error) {
    body = `<body already read: ${error.message}>`;
  }
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    body,
  };
}

let results;
try {
  results = await auditServer({ url, fetchFn: fetch });
} catch (error) {
  // A fatal error: the audit itself could not run (e.g. the server is not answering).
  console.log(JSON.stringify({ fatal: String(error?.stack ?? error) }, null, 2));
  process.exit(1);
}

const printed = [];
for (const result of results) {
  const item = { id: result.id, name: result.name, status: result.status };
  if (result.status !== "ok") {
    item.reason = result.reason;
    item.response = await describe(result.response);
  }
  printed.push(item);
}
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const item of printed) counts[item.status] = (counts[item.status] ?? 0) + 1;

console.log(JSON.stringify({ url, counts, results: printed }, null, 2));
process.exit(printed.every((item) => item.status === "ok") ? 0 : 1);
