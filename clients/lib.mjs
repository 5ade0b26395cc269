// What the client scripts share: the URL argument, a fetch that records every request, the
// console capture for Apollo's warnings, and Apollo in development mode.
import { format } from "node:util";

export function urlArgument(script) {
  const url = process.argv[2];
  if (!url) {
    console.error(`usage: node ${script} <graphql url>`);
    process.exit(2);
  }
  return url;
}

/**
 * Apollo Client prints its warnings ("stopped refetching", "Cache data may be lost", ...) only
 * in development builds, as a Next.js dev server runs it. The default export condition reads
 * `globalThis.__DEV__`, so set it before Apollo is first imported (dynamically, below), and load
 * the full message texts instead of the bare error codes.
 */
export async function apolloInDevelopment() {
  globalThis.__DEV__ = true;
  const dev = await import("@apollo/client/dev");
  dev.loadDevMessages();
  dev.loadErrorMessages();
  const environment = await import("@apollo/client/utilities/environment");
  if (environment.__DEV__ !== true) throw new Error("Apollo Client is not in development mode");
}

/** console.warn / console.error calls, with their formatted text, while still printing them to stderr. */
export function captureConsole() {
  const captured = [];
  for (const level of ["warn", "error"]) {
    const original = console[level].bind(console);
    console[level] = (...args) => {
      captured.push({ level, message: format(...args) });
      original(...args);
    };
  }
  return captured;
}

function operationOf(url, init) {
  const parsed = new URL(url);
  const method = (init?.method ?? "GET").toUpperCase();
  if (method === "GET") {
    const extensions = parsed.searchParams.get("extensions");
    return {
      method,
      operationName: parsed.searchParams.get("operationName"),
      hasQuery: parsed.searchParams.has("query"),
      extensions: extensions ? JSON.parse(extensions) : null,
      variables: parsed.searchParams.get("variables"),
    };
  }
  const body = typeof init?.body === "string" ? JSON.parse(init.body) : {};
  return {
    method,
    operationName: body.operationName ?? null,
    hasQuery: typeof body.query === "string",
    extensions: body.extensions ?? null,
    variables: body.variables ? JSON.stringify(body.variables) : null,
  };
}

function headersOf(headers) {
  return Object.fromEntries(new Headers(headers ?? {}).entries());
}

/**
 * A fetch that forwards to the global one and records each request and its response (status,
 * headers, parsed body), for counting requests per operation and for failure reports.
 */
export function countingFetch() {
  const requests = [];
  async function fetchFn(input, init) {
    const url = typeof input === "string" ? input : input.url;
    const record = {
      n: requests.length + 1,
      ...operationOf(url, init),
      url,
      requestHeaders: headersOf(init?.headers),
    };
    if (record.requestHeaders.authorization) record.requestHeaders.authorization = "Bearer <token>";
    requests.push(record);
    const response = await fetch(input, init);
    const text = await response.clone().text();
    record.status = response.status;
    record.responseHeaders = Object.fromEntries(response.headers.entries());
    try {
      record.response = JSON.parse(text);
    } catch {
      record.response = text;
    }
    return response;
  }
  return { fetchFn, requests };
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Prints the report as JSON and exits 1 when any check failed. */
export function finish(report) {
  const failures = report.checks.filter((check) => !check.ok);
  report.ok = failures.length === 0;
  report.failures = failures.map((check) => check.name);
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.ok ? 0 : 1);
}

export function check(report, name, ok, details) {
  const entry = { name, ok: Boolean(ok) };
  if (details !== undefined) entry.details = details;
  report.checks.push(entry);
  return entry.ok;
}
