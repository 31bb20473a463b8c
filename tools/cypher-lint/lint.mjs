// Lints Cypher statements with Neo4j's own parser and semantic analysis
// (@neo4j-cypher/language-support, pinned in package.json).
//
// stdin:  {"statements": [{"name": "...", "query": "..."}],
//          "schema": {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...]},
//          "versions": ["CYPHER 5", "CYPHER 25"]}
// stdout: [{"name", "version", "diagnostics": [{"severity": "error"|"warning"|..., "message",
//          "line", "character", "offset"}]}]
//
// Parameters are not known to the linter, so "Parameter $x is not defined" diagnostics are
// dropped with the package's own isNotParamError filter; everything else is reported.
import { lintCypherQuery, isNotParamError } from '@neo4j-cypher/language-support';

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

function readStdin() {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => (data += chunk));
    process.stdin.on('end', () => resolve(data));
    process.stdin.on('error', reject);
  });
}

const input = JSON.parse(await readStdin());
const versions = input.versions && input.versions.length ? input.versions : [undefined];
const out = [];
for (const { name, query } of input.statements) {
  for (const version of versions) {
    const schema = { ...(input.schema || {}) };
    if (version) schema.defaultLanguage = version;
    const { diagnostics } = lintCypherQuery(query, schema);
    out.push({
      name,
      version: version || 'default',
      diagnostics: diagnostics.filter(isNotParamError).map((d) => ({
        severity: SEVERITY[d.severity] || String(d.severity),
        message: d.message,
        line: d.range.start.line + 1,
        character: d.range.start.character + 1,
        offset: d.offsets ? d.offsets.start : null,
      })),
    });
  }
}
process.stdout.write(JSON.stringify(out));
