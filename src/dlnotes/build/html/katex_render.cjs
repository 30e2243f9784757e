// Typeset formulas at build time with the KaTeX the site serves, so pages need no math script.
// One JSON array per input line: [{"tex": "...", "display": true}, ...]
// One JSON array per output line: [{"html": "..."} | {"error": "KaTeX parse error: ..."}, ...]
const katex = require("katex");
const readline = require("readline");

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const results = JSON.parse(line).map(({ tex, display }) => {
    try {
      return { html: katex.renderToString(tex, { displayMode: display, throwOnError: true }) };
    } catch (error) {
      return { error: String(error.message) };
    }
  });
  process.stdout.write(JSON.stringify(results) + "\n");
});
