// Typeset the \( \) and \[ \] spans that pymdownx.arithmatex writes. throwOnError stays
// false so one bad formula cannot blank a page; the browser test fails on .katex-error.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
  });
});
