// Apollo Client's normalised cache against the live server, set up as a Next.js app would:
// ApolloClient + InMemoryCache + HttpLink (fetch), with an auth link for the bearer token.
//
//   EDXELERA_DEMO_EMAIL=ada@demo.edxelera.test EDXELERA_DEMO_PASSWORD=... \
//     node clients/apollo_normalize.mjs http://127.0.0.1:8000/graphql
//
// Checks, printed as JSON (exit 1 when any fails):
// - the documents are valid against schema.graphql and select `id` wherever the type has one;
// - every object type without an `id` field is in VALUE_TYPES, and no type with one is;
// - watching the program list and a program home at once fetches each exactly once (no refetch
//   loop from objects the cache cannot merge), with no Apollo warning or error on the console;
// - every object carrying `__typename` in any response has a non-empty `id`, unless a value type;
// - one (typename, id) never carries two different values, and what the watchers deliver from
//   the cache equals what the server sent;
// - with errorPolicy "all", an unknown slug's NOT_FOUND on `canEnroll` leaves `programs` intact.
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import {
  buildSchema,
  getNamedType,
  isObjectType,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
} from "graphql";
import {
  apolloInDevelopment,
  captureConsole,
  check,
  countingFetch,
  finish,
  sleep,
  urlArgument,
} from "./lib.mjs";

const url = urlArgument("apollo_normalize.mjs");
const email = process.env.EDXELERA_DEMO_EMAIL ?? "ada@demo.edxelera.test";
const password = process.env.EDXELERA_DEMO_PASSWORD;
// The demo student is enrolled in the free, running program (edxelera_gql/demo/seed.py).
const homeSlug = process.env.EDXELERA_DEMO_PROGRAM ?? "demo-python-foundations";
if (!password) {
  console.error("set EDXELERA_DEMO_PASSWORD (the server prints the demo passwords on first start)");
  process.exit(2);
}

// Object types of schema.graphql without an `id` field: values, not entities. Apollo stores
// them inside their parent; every other type has an `id` and the server must return it.
const VALUE_TYPES = new Set([
  "Query",
  "Mutation",
  // connections
  "ProgramConnection",
  "ProgramEdge",
  "PostConnection",
  "PostEdge",
  "AuditEntryConnection",
  "AuditEntryEdge",
  "PageInfo",
  // mutation payloads and their errors
  "AuthPayload",
  "CalendarFeedPayload",
  "CompleteLessonPayload",
  "InitPaymentPayload",
  "PostPayload",
  "ProgramStaffPayload",
  "RefundPaymentPayload",
  "RevokeCertificatePayload",
  "SignOutPayload",
  "UpdateNotificationPreferencesPayload",
  "VerifyPaymentPayload",
  "UserError",
  // answers computed per request
  "EnrollmentEligibility",
  "LessonPlayback",
  "SignedUrl",
  // staff tools: an assignment (keyed by program and person, not an id), an audit change
  "StaffMember",
  "StaffAssignment",
  "AuditChange",
  // the viewer's own settings, one per kind, stored inside their parent
  "NotificationPreference",
]);

const SIGN_IN = `
mutation SignIn($email: String!, $password: String!) {
  signIn(input: { email: $email, password: $password }) {
    accessToken
    user { id email fullName roles }
    errors { code message field }
  }
}`;

// What a catalogue page shows: cards with the weeks and the courses.
const PROGRAM_LIST = `
query ProgramList {
  programs(first: 20) {
    pageInfo { endCursor hasNextPage startCursor hasPreviousPage }
    edges {
      cursor
      node { id slug title }
    }
    nodes {
      id
      slug
      title
      description
      startAt
      endAt
      timezone
      priceMinor
      currency
      lateJoinEnabled
      enrollmentClosesAt
      lateJoinEndsAt
      courses { id slug title description }
      weeks { id number title releaseAt assignmentDeadline lessonCount }
    }
  }
}`;

// The signed-in home of one program; it overlaps the list (Program, Course, WeekSummary) with
// other field subsets, each with fields the other lacks (Program.weeks here: isReleased and
// completedLessonCount; there: releaseAt, assignmentDeadline, lessonCount): objects the cache
// cannot normalise get replaced by whichever answer comes second, and the other query refetches.
const PROGRAM_HOME = `
query ProgramHome($slug: String!) {
  programHome(programSlug: $slug) {
    id
    program {
      id
      slug
      title
      startAt
      timezone
      courses { id slug title }
      weeks { id number title isReleased completedLessonCount }
    }
    enrollment { id status enrolledAt source }
    courses {
      id
      completedLessons
      totalLessons
      percentComplete
      completedAt
      course { id slug title }
      certificate { id type status certificateNumber }
    }
    weeks { id number title releaseAt isReleased lessonCount completedLessonCount }
    currentWeek { id number title }
    nextLesson {
      id
      slug
      title
      weekNumber
      status
      lockReason
      course { id slug }
      missingPrerequisites { id slug title courseSlug weekNumber }
    }
    nextDeadline { id weekNumber title deadline isPastDeadline }
    nextLiveSession { id weekNumber title startAt endAt url status }
    certificates {
      id
      type
      status
      certificateNumber
      course { id slug }
      program { id slug }
    }
  }
}`;

const PROGRAMS_AND_UNKNOWN = `
query ProgramsAndUnknownEligibility($slug: String!) {
  programs { nodes { id slug title } }
  canEnroll(programSlug: $slug) { allowed reason closesAt isLateJoin }
}`;

const report = { url, client: {}, checks: [], requests: [], console: [] };
const schema = buildSchema(readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"));

// --- the harness's own documents and value-type list, against schema.graphql -------------
{
  const schemaValueTypes = Object.values(schema.getTypeMap())
    .filter((t) => isObjectType(t) && !t.name.startsWith("__") && !("id" in t.getFields()))
    .map((t) => t.name)
    .sort();
  const listed = [...VALUE_TYPES].sort();
  check(
    report,
    "VALUE_TYPES lists exactly the object types of schema.graphql without an id field",
    JSON.stringify(schemaValueTypes) === JSON.stringify(listed),
    {
      missingFromList: schemaValueTypes.filter((t) => !VALUE_TYPES.has(t)),
      haveAnIdButListed: listed.filter((t) => !schemaValueTypes.includes(t)),
    },
  );
  const problems = [];
  for (const source of [SIGN_IN, PROGRAM_LIST, PROGRAM_HOME, PROGRAMS_AND_UNKNOWN]) {
    const document = parse(source);
    for (const error of validate(schema, document)) problems.push(error.message);
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const type = getNamedType(typeInfo.getType());
          if (!node.selectionSet || !isObjectType(type) || !("id" in type.getFields())) return;
          const selectsId = node.selectionSet.selections.some(
            (s) => s.kind === "Field" && s.name.value === "id" && !s.alias,
          );
          if (!selectsId) problems.push(`${node.name.value}: ${type.name} selected without id`);
        },
      }),
    );
  }
  check(report, "the documents are valid and select id on every type that has one", !problems.length, problems);
}

await apolloInDevelopment();
const { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql, version } = await import(
  "@apollo/client"
);
const { CombinedGraphQLErrors } = await import("@apollo/client/errors");
report.client = { "@apollo/client": version, node: process.version };

const consoleMessages = captureConsole();
const { fetchFn, requests } = countingFetch();
report.requests = requests;
report.console = consoleMessages;

let token = null;
const authLink = new ApolloLink((operation, forward) => {
  if (token) {
    operation.setContext(({ headers = {} }) => ({
      headers: { ...headers, authorization: `Bearer ${token}` },
    }));
  }
  return forward(operation);
});
const client = new ApolloClient({
  link: ApolloLink.from([authLink, new HttpLink({ uri: url, fetch: fetchFn })]),
  cache: new InMemoryCache(),
});

// --- the id walk ------------------------------------------------------------------------
const entities = new Map(); // "Type:id" -> { where, scalars }
const missingIds = [];
const conflicts = [];
function walk(value, path, where) {
  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, `${path}[${index}]`, where));
    return;
  }
  if (value === null || typeof value !== "object") return;
  const typename = value.__typename;
  if (typename !== undefined && !VALUE_TYPES.has(typename)) {
    if (typeof value.id !== "string" || value.id === "") {
      missingIds.push({ where, path, typename, id: value.id ?? "<absent>" });
    } else {
      const key = `${typename}:${value.id}`;
      const scalars = Object.fromEntries(
        Object.entries(value).filter(([, v]) => v === null || typeof v !== "object"),
      );
      const seen = entities.get(key);
      if (seen) {
        for (const [field, v] of Object.entries(scalars)) {
          if (field in seen.scalars && seen.scalars[field] !== v) {
            conflicts.push({ key, field, [seen.where]: seen.scalars[field], [`${where} ${path}`]: v });
          }
        }
        Object.assign(seen.scalars, scalars);
      } else {
        entities.set(key, { where: `${where} ${path}`, scalars });
      }
    }
  }
  for (const [field, child] of Object.entries(value)) walk(child, `${path}.${field}`, where);
}

// --- sign in ------------------------------------------------------------------------------
try {
  const signedIn = await client.mutate({
    mutation: gql(SIGN_IN),
    variables: { email, password },
  });
  const payload = signedIn.data?.signIn;
  token = payload?.accessToken ?? null;
  check(report, "signIn answers an access token", token && !payload.errors.length, payload?.errors);
  walk(signedIn.data, "signIn", "SignIn");
} catch (error) {
  check(report, "signIn answers an access token", false, String(error));
}
if (!token) finish(report);

// --- watch the list and the home at the same time ------------------------------------------
const watched = {};
const settle = [];
for (const [name, source, variables] of [
  ["ProgramList", PROGRAM_LIST, {}],
  ["ProgramHome", PROGRAM_HOME, { slug: homeSlug }],
]) {
  const entry = (watched[name] = { results: [], errors: [] });
  const observable = client.watchQuery({ query: gql(source), variables });
  settle.push(
    new Promise((resolve) => {
      entry.subscription = observable.subscribe({
        next(result) {
          entry.results.push(result);
          if (!result.loading) resolve();
        },
        error(error) {
          entry.errors.push(String(error));
          resolve();
        },
      });
    }),
  );
}
const settled = await Promise.race([
  Promise.all(settle).then(() => true),
  sleep(15000).then(() => false),
]);
check(report, "both watched queries answered within 15 s", settled);
// Long enough for a refetch loop to show: Apollo refetches at once when the cache breaks a query.
await sleep(1500);

const perOperation = {};
for (const request of requests) {
  perOperation[request.operationName] = (perOperation[request.operationName] ?? 0) + 1;
}
report.requestsPerOperation = perOperation;
for (const name of Object.keys(watched)) {
  const entry = watched[name];
  const final = entry.results.at(-1);
  report[name] = {
    emissions: entry.results.map((r) => ({
      loading: r.loading,
      networkStatus: r.networkStatus,
      dataState: r.dataState,
      error: r.error ? String(r.error) : undefined,
    })),
    errors: entry.errors,
  };
  check(report, `${name} was fetched exactly once`, perOperation[name] === 1, {
    fetches: perOperation[name] ?? 0,
  });
  check(
    report,
    `${name} delivered complete data without errors`,
    final && !final.error && final.dataState === "complete" && !entry.errors.length,
    final?.error ? String(final.error) : entry.errors,
  );
  const served = requests.filter((r) => r.operationName === name).at(-1)?.response;
  if (served?.data) {
    walk(served.data, name, name);
    check(
      report,
      `${name}: what the watcher delivers from the cache equals what the server sent`,
      final && isDeepStrictEqual(final.data, served.data),
      final && !isDeepStrictEqual(final.data, served.data)
        ? { server: served.data, cache: final.data }
        : undefined,
    );
  }
  if (served?.errors) report[name].serverErrors = served.errors;
}
const home = watched.ProgramHome.results.at(-1)?.data?.programHome;
check(report, `programHome(${homeSlug}) is not null for the demo student`, home, home === null ? "null" : undefined);
const nodes = watched.ProgramList.results.at(-1)?.data?.programs?.nodes ?? [];
check(report, "the program list is not empty", nodes.length > 0);

check(report, "every object with __typename has an id unless it is a value type", !missingIds.length, missingIds);
check(report, "one typename and id never carries two different values", !conflicts.length, conflicts);
const loopWarnings = consoleMessages.filter((m) =>
  /stopped refetching|incomplete cache result|partial result|Cache data may be lost|Missing field/i.test(
    m.message,
  ),
);
check(report, "Apollo logged no refetch-loop or cache warnings", !loopWarnings.length, loopWarnings);
check(report, "Apollo logged nothing else on console.warn or console.error", !consoleMessages.length, consoleMessages);
for (const entry of Object.values(watched)) entry.subscription?.unsubscribe();

// --- errorPolicy "all": a field error beside good data ----------------------------------------
const unknownSlug = `no-such-program-${Date.now()}`;
const before = requests.length;
const consoleBefore = consoleMessages.length;
try {
  const result = await client.query({
    query: gql(PROGRAMS_AND_UNKNOWN),
    variables: { slug: unknownSlug },
    errorPolicy: "all",
    fetchPolicy: "network-only",
  });
  const response = requests[before];
  const errors = CombinedGraphQLErrors.is(result.error) ? result.error.errors : [];
  report.errorPolicyAll = {
    status: response?.status,
    contentType: response?.responseHeaders?.["content-type"],
    serverBody: response?.response,
    error: result.error ? String(result.error) : null,
  };
  check(report, "errorPolicy all: one request", requests.length - before === 1);
  check(
    report,
    "errorPolicy all: the server answers 200 with data beside the field error",
    response?.status === 200 && response?.response?.data,
    { status: response?.status },
  );
  check(
    report,
    "errorPolicy all: programs is still there",
    (result.data?.programs?.nodes?.length ?? 0) > 0,
    result.data,
  );
  check(report, "errorPolicy all: canEnroll is null", result.data?.canEnroll === null, result.data?.canEnroll);
  check(
    report,
    "errorPolicy all: the error is NOT_FOUND at path canEnroll",
    errors.length === 1 &&
      errors[0].extensions?.code === "NOT_FOUND" &&
      JSON.stringify(errors[0].path) === JSON.stringify(["canEnroll"]),
    errors,
  );
  if (result.data) walk(result.data, "ProgramsAndUnknownEligibility", "ProgramsAndUnknownEligibility");
} catch (error) {
  check(report, "errorPolicy all: the query resolves instead of throwing", false, String(error));
}
const laterMessages = consoleMessages.slice(consoleBefore);
check(
  report,
  "errorPolicy all: Apollo logged nothing on console.warn or console.error",
  !laterMessages.length,
  laterMessages,
);

client.stop();
finish(report);
