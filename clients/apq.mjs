// Apollo's automatic persisted queries (APQ) against the live server: the persisted-query link in
// front of HttpLink, once sending hashed queries by POST and once by GET.
//
//   node clients/apq.mjs http://127.0.0.1:8000/graphql
//
// The protocol, per mode: the first request carries only the hash and is answered
// PERSISTED_QUERY_NOT_FOUND; the link retries with the query and the hash (by POST, also in GET
// mode) and gets data; the same query again, from the same client and from a fresh one, is one
// hash-only request answered with data. Prints every request and the checks as JSON; exit 1 when
// any check fails.
import { createHash, randomBytes } from "node:crypto";
import { apolloInDevelopment, captureConsole, check, countingFetch, finish, urlArgument } from "./lib.mjs";

const url = urlArgument("apq.mjs");

await apolloInDevelopment();
const { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql, version } = await import("@apollo/client");
// `createPersistedQueryLink(options)` is Apollo Client 4's deprecated alias of this constructor.
const { PersistedQueryLink } = await import("@apollo/client/link/persisted-queries");
const { print } = await import("@apollo/client/utilities");

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const report = { url, client: { "@apollo/client": version, node: process.version }, checks: [], modes: {} };
const consoleMessages = captureConsole();
report.console = consoleMessages;
// A fresh document per run, so that no earlier run can have stored its hash on the server.
const nonce = randomBytes(6).toString("hex");

function newClient(fetchFn, useGETForHashedQueries) {
  return new ApolloClient({
    link: ApolloLink.from([
      new PersistedQueryLink({ sha256, useGETForHashedQueries }),
      new HttpLink({ uri: url, fetch: fetchFn }),
    ]),
    cache: new InMemoryCache(),
  });
}

function summary(request) {
  return {
    n: request.n,
    method: request.method,
    hasQuery: request.hasQuery,
    persistedQuery: request.extensions?.persistedQuery ?? null,
    status: request.status,
    cacheControl: request.responseHeaders?.["cache-control"] ?? null,
    contentType: request.responseHeaders?.["content-type"] ?? null,
    errorCodes: (request.response?.errors ?? []).map((e) => e.extensions?.code ?? e.message),
    hasData: Boolean(request.response?.data),
  };
}

const hasData = (r) => r?.status === 200 && r.response?.data?.programs?.nodes?.length > 0 && !r.response.errors;

async function run(mode) {
  const useGET = mode === "GET";
  const name = `ApqPrograms${mode}_${nonce}`;
  const document = gql(`query ${name} { programs { nodes { id slug title } } }`);
  const { fetchFn, requests } = countingFetch();
  const client = newClient(fetchFn, useGET);
  const entry = (report.modes[mode] = { operationName: name, steps: {} });
  // Apollo hashes the printed document it sends (with __typename added by the cache).
  const expectedHash = sha256(print(client.cache.transformDocument(document)));
  entry.sha256Hash = expectedHash;

  async function step(label, clientToUse, fetchPolicy) {
    const before = requests.length;
    let result;
    try {
      result = await clientToUse.query({ query: document, fetchPolicy });
    } catch (error) {
      result = { error };
    }
    const sent = requests.slice(before);
    entry.steps[label] = {
      requests: sent.map(summary),
      error: result.error ? String(result.error) : null,
      programs: result.data?.programs?.nodes?.length ?? null,
    };
    check(report, `${mode} ${label}: the query resolves with data`, !result.error && result.data?.programs, {
      error: result.error ? String(result.error) : undefined,
      responses: sent.map((r) => ({ status: r.status, headers: r.responseHeaders, body: r.response })),
    });
    return sent;
  }

  // 1. Unknown hash: hash only, PERSISTED_QUERY_NOT_FOUND, then the retry with the query.
  const first = await step("first", client, "network-only");
  const [miss, retry] = first;
  check(report, `${mode} first: two requests (hash only, then hash and query)`, first.length === 2, {
    requests: first.map(summary),
  });
  check(
    report,
    `${mode} first: the first request carries the hash only, by ${mode}`,
    miss &&
      miss.method === mode &&
      !miss.hasQuery &&
      miss.extensions?.persistedQuery?.version === 1 &&
      miss.extensions?.persistedQuery?.sha256Hash === expectedHash,
    miss && summary(miss),
  );
  check(
    report,
    `${mode} first: the server answers PERSISTED_QUERY_NOT_FOUND`,
    miss &&
      miss.response?.errors?.length === 1 &&
      miss.response.errors[0].extensions?.code === "PERSISTED_QUERY_NOT_FOUND" &&
      !miss.response.data,
    miss && { status: miss.status, headers: miss.responseHeaders, body: miss.response },
  );
  if (useGET) {
    // A shared cache (CDN) keeping this miss would answer it for every later request of the
    // hash, and the query could never be served by hash again.
    const cacheControl = miss?.responseHeaders?.["cache-control"] ?? "";
    check(
      report,
      "GET first: the PERSISTED_QUERY_NOT_FOUND answer is marked not cacheable",
      /no-store|no-cache|private|max-age=0\b/.test(cacheControl),
      miss && { status: miss.status, headers: miss.responseHeaders, body: miss.response },
    );
  }
  check(
    report,
    `${mode} first: the retry sends the query with the hash by POST and gets data`,
    retry &&
      retry.method === "POST" &&
      retry.hasQuery &&
      retry.extensions?.persistedQuery?.sha256Hash === expectedHash &&
      hasData(retry),
    retry && { ...summary(retry), body: retry.response },
  );

  // 2. The same query again: one hash-only request, served from the server's store.
  for (const [label, clientToUse] of [
    ["again", client],
    ["fresh client", newClient(fetchFn, useGET)],
  ]) {
    const sent = await step(label, clientToUse, "network-only");
    check(
      report,
      `${mode} ${label}: one request, hash only, by ${mode}, answered with data`,
      sent.length === 1 &&
        sent[0].method === mode &&
        !sent[0].hasQuery &&
        sent[0].extensions?.persistedQuery?.sha256Hash === expectedHash &&
        hasData(sent[0]),
      sent.map((r) => ({ ...summary(r), body: r.response })),
    );
  }
  client.stop();
}

for (const mode of ["POST", "GET"]) await run(mode);
check(report, "Apollo logged nothing on console.warn or console.error", !consoleMessages.length, consoleMessages);
finish(report);
