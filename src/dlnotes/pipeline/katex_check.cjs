// Typeset every formula of the site with the KaTeX the pages use, and report the ones it rejects.
// stdin: JSON [{"tex": "...", "display": true}], stdout: JSON [null | "error message", ...]
const katex = require("katex");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map(({ tex, display }) => {
    try {
      katex.renderToString(tex, { displayMode: display, throwOnError: true });
      return null;
    } catch (error) {
      return String(error.message);
    }
  });
  process.stdout.write(JSON.stringify(results));
});
