// TypeScript types of every published event, from the JSON Schemas in contracts/schemas
// (json-schema-to-typescript, pinned in package.json). `node contracts/typescript/generate.cjs`
// writes contracts/typescript/<domain>.d.ts; with --check it writes nothing and exits 1 when a
// committed file differs (tests/ops/test_contracts.py runs the check).
const fs = require("fs");
const path = require("path");
const { compile } = require("json-schema-to-typescript");

const root = path.resolve(__dirname, "..", "schemas");
const out = __dirname;
const check = process.argv.includes("--check");
const banner = "// Generated from contracts/schemas by contracts/typescript/generate.cjs: do not edit.";

// inner titles would each become an exported alias, repeated in every event of a domain; a
// field named `title` under `properties` is data, not the keyword, and stays
function untitle(node) {
  if (Array.isArray(node)) return node.forEach(untitle);
  if (node && typeof node === "object") {
    delete node.title;
    for (const [key, child] of Object.entries(node)) {
      if (key === "properties" && child && typeof child === "object") {
        Object.values(child).forEach(untitle);
      } else {
        untitle(child);
      }
    }
  }
}

// one schema per domain: each event under $defs (titled by name and version), the events' own
// $defs hoisted beside them (the same name is the same model), the domain type their union
async function domainFile(domain) {
  const dir = path.join(root, domain);
  const defs = {};
  const names = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const schema = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const name = file.replace(/\.json$/, "").replace(/\.v(\d+)$/, "V$1");
    const inner = schema.$defs || {};
    delete schema.$defs;
    delete schema.$id;
    delete schema.$schema;
    untitle(schema);
    schema.title = name;
    for (const [key, def] of Object.entries(inner)) {
      untitle(def);
      def.title = key;
      defs[key] = def;
    }
    defs[name] = schema;
    names.push(name);
  }
  const title = `${domain[0].toUpperCase()}${domain.slice(1)}Event`;
  const union = { title, oneOf: names.map((n) => ({ $ref: `#/$defs/${n}` })), $defs: defs };
  const body = await compile(union, title, { bannerComment: "", additionalProperties: false, format: true });
  return `${banner}\n\n${body}`;
}

(async () => {
  let stale = [];
  for (const domain of fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory()).sort()) {
    const text = await domainFile(domain);
    const target = path.join(out, `${domain}.d.ts`);
    if (check) {
      if (!fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text) stale.push(target);
    } else {
      fs.writeFileSync(target, text);
    }
  }
  if (stale.length) {
    console.error(`stale TypeScript types (run node contracts/typescript/generate.cjs): ${stale.join(", ")}`);
    process.exit(1);
  }
})();
