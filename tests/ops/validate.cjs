#!/usr/bin/env node
// Independent checks of the published contracts and the compose file, outside Python:
// the AsyncAPI project's own parser, and Ajv for JSON Schema. Prints one JSON report on stdout.
//
//   node tests/ops/validate.cjs asyncapi FILE...            AsyncAPI documents
//   node tests/ops/validate.cjs events SCHEMA_DIR [JSONL]   compile every event schema, check events
//   node tests/ops/validate.cjs compose FILE SCHEMA         a compose file against the Compose Spec
"use strict";

const fs = require("fs");
const path = require("path");

function jsonFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return jsonFiles(p);
    return e.name.endsWith(".json") ? [p] : [];
  });
}

async function asyncapi(files) {
  const { Parser, DiagnosticSeverity } = require("@asyncapi/parser");
  const parser = new Parser();
  const report = {};
  for (const file of files) {
    const { document, diagnostics } = await parser.parse(fs.readFileSync(file, "utf8"));
    const describe = (d) => ({ code: d.code, message: d.message, path: d.path.join(".") });
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map(describe);
    report[file] = {
      valid: Boolean(document) && errors.length === 0,
      version: document ? document.version() : null,
      channels: document ? document.channels().length : 0,
      operations: document ? document.operations().length : 0,
      errors,
      warnings: diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).map(describe),
    };
  }
  return report;
}

function events(schemaDir, jsonl) {
  const Ajv2020 = require("ajv/dist/2020").default;
  const addFormats = require("ajv-formats").default;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const byName = {};
  const compileErrors = [];
  for (const file of jsonFiles(schemaDir)) {
    const schema = JSON.parse(fs.readFileSync(file, "utf8"));
    try {
      byName[path.basename(file)] = ajv.compile(schema);
    } catch (err) {
      compileErrors.push({ file, error: String(err.message || err) });
    }
  }
  const report = { schemas: Object.keys(byName).length, compileErrors, checked: 0, invalid: [], unknown: [] };
  if (!jsonl) return report;
  const lines = fs.readFileSync(jsonl, "utf8").split("\n").filter((l) => l.trim());
  lines.forEach((line, i) => {
    const event = JSON.parse(line);
    const validate = byName[`${event.event_type}.v${event.schema_version}.json`];
    if (!validate) {
      report.unknown.push({ line: i + 1, event_type: event.event_type, schema_version: event.schema_version });
      return;
    }
    report.checked += 1;
    if (!validate(event)) {
      report.invalid.push({ line: i + 1, event_id: event.event_id, errors: validate.errors });
    }
  });
  return report;
}

function compose(file, schemaFile) {
  const YAML = require("yaml");
  const Ajv = require("ajv").default;
  const addFormats = require("ajv-formats").default;
  const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"), { merge: true });
  if (doc.errors.length) {
    return { valid: false, errors: doc.errors.map((e) => ({ message: e.message })), document: null };
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
  // the Compose Spec names draft-07 by its https address; Ajv knows the meta-schema by the canonical one
  if (/draft-07/.test(schema.$schema || "")) schema.$schema = "http://json-schema.org/draft-07/schema#";
  const validate = ajv.compile(schema);
  const data = doc.toJS({ maxAliasCount: -1 });
  const valid = validate(data);
  return { valid, errors: valid ? [] : validate.errors, document: data };
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  let report;
  if (command === "asyncapi") report = await asyncapi(args);
  else if (command === "events") report = events(args[0], args[1]);
  else if (command === "compose") report = compose(args[0], args[1]);
  else {
    process.stderr.write("usage: validate.cjs asyncapi FILE... | events SCHEMA_DIR [JSONL] | compose FILE SCHEMA\n");
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(1);
});
