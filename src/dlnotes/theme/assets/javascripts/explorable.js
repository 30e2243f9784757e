// Explorable figures (src/dlnotes/build/figures/explore.py): each control above a figure picks one of
// the variants the build computed; the light and dark images and their alt text are swapped in place
// (the images keep their width and height, so nothing moves). A variant is fetched when chosen,
// never with the page. Without this script the controls stay hidden and the default figure shows.
document$.subscribe(function () {
  document.querySelectorAll(".dlnotes-knobs[data-variants]").forEach(function (knobs) {
    var variants = JSON.parse(knobs.dataset.variants);
    var figure = document.getElementById(knobs.dataset.figure);
    if (!figure) return;
    var images = figure.querySelectorAll("img");
    // the figures folder, as MkDocs wrote the default image's link for this page's address
    var folder = images[0].getAttribute("src").replace(/[^/]*$/, "");
    var controls = Array.prototype.slice.call(knobs.querySelectorAll(".dlnotes-knob"));
    var chosen = function (control) {
      var range = control.querySelector("input[type=range]");
      return range ? range.value : control.querySelector("input:checked").value;
    };
    knobs.addEventListener("input", function () {
      var variant = variants[controls.map(chosen).join(",")];
      if (!variant) return;
      images.forEach(function (image) {
        var palette = image.getAttribute("src").split("#")[1];   // only-light or only-dark, for Material's CSS
        image.setAttribute("src", folder + variant.stem + "." + palette.slice(5) + ".svg#" + palette);
        image.alt = variant.alt;
      });
      controls.forEach(function (control) {
        var range = control.querySelector("input[type=range]");
        if (!range) return;
        var text = JSON.parse(range.dataset.texts)[range.value];
        range.setAttribute("aria-valuetext", text);
        control.querySelector("output").textContent = text;
      });
    });
    knobs.hidden = false;
  });
});
