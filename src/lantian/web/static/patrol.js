// 日巡查 form: more problem blocks, and the phone's position for a problem.
(function () {
  "use strict";
  var list = document.getElementById("problems");
  var add = document.getElementById("add-problem");
  if (!list) return;
  function locate(block) {
    var button = block.querySelector(".locate");
    if (!button || !navigator.geolocation) return;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        block.querySelector("[name$='_longitude']").value = pos.coords.longitude.toFixed(6);
        block.querySelector("[name$='_latitude']").value = pos.coords.latitude.toFixed(6);
      });
    });
  }
  list.querySelectorAll(".problem").forEach(locate);
  if (add) {
    add.addEventListener("click", function () {
      var blocks = list.querySelectorAll(".problem");
      var index = blocks.length;
      if (index >= 20) return;
      var block = blocks[0].cloneNode(true);
      block.dataset.index = String(index);
      block.querySelector(".problem-number").textContent = String(index + 1);
      block.querySelectorAll("[name]").forEach(function (field) {
        field.name = field.name.replace(/^p\d+_/, "p" + index + "_");
        if (field.tagName === "SELECT") field.selectedIndex = blocks[0].querySelector("[name='" + field.name.replace(/^p\d+_/, "p0_") + "']").selectedIndex;
        else field.value = "";
      });
      list.appendChild(block);
      locate(block);
    });
  }
})();
