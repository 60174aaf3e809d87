// Browsing helpers that htmx attributes cannot express. Everything here is an upgrade:
// without JavaScript the forms and links work as plain GET requests.
(function () {
  "use strict";

  // A page restored from the back/forward cache shows the results as they were when the
  // user left it, which after htmx swaps need not be those of its URL: load it afresh.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });

  // After htmx swaps the results for a facet or pagination link, the filter form still
  // shows the old values: copy them from the new URL (except the field being typed in).
  function syncFormsWithUrl() {
    const params = new URLSearchParams(window.location.search);
    const results = document.getElementById("results");
    document.querySelectorAll("form[data-sync-url]").forEach(function (form) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "submit" || el.type === "hidden" || el === document.activeElement) {
          return;
        }
        const value = params.get(el.name) || "";
        if (el.classList.contains("js-speaker-combobox")) {
          // The URL has the speaker's slug; the results tell their name, shown instead.
          const known = results && value && results.dataset.speakerSlug === value;
          showSpeaker(el, known ? { slug: value, name: results.dataset.speakerName } : null, value);
        } else if (el.value !== value) {
          el.value = value;
        }
      });
    });
  }

  // The speaker box shows a picked speaker's name; the filter sends their slug (kept in
  // data-slug) as long as the box still shows that name. Without a pick, what was typed.
  function showSpeaker(input, speaker, typed) {
    if (speaker) {
      input.dataset.slug = speaker.slug;
      input.dataset.name = speaker.name;
      input.value = speaker.name;
    } else {
      delete input.dataset.slug;
      delete input.dataset.name;
      if (typed !== undefined && input.value !== typed) {
        input.value = typed;
      }
    }
  }

  function speakerValue(input) {
    const typed = input.value.trim();
    return input.dataset.slug && typed === input.dataset.name ? input.dataset.slug : typed;
  }

  // The speaker filter: an ARIA 1.2 combobox whose listbox is filled from
  // /speakers/?q=...&format=json as you type. Arrow keys move, Enter picks, Escape closes.
  function setUpCombobox(input) {
    const box = input.closest(".combobox");
    const listbox = document.getElementById(input.getAttribute("aria-controls"));
    const status = box.querySelector("[role=status]");
    const url = box.dataset.suggestUrl;
    let options = [];
    let active = -1;
    let timer = null;
    let controller = null;
    let lastQuery = input.value.trim();

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (options.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function setActive(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function pick(index) {
      showSpeaker(input, { slug: options[index].dataset.slug, name: options[index].dataset.name });
      lastQuery = input.value.trim();
      close();
      if (input.form) {
        input.form.requestSubmit();
      }
    }

    function render(results) {
      listbox.replaceChildren();
      options = results.map(function (speaker, i) {
        const option = document.createElement("li");
        option.id = listbox.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.slug = speaker.slug;
        option.dataset.name = speaker.name;
        const name = document.createElement("span");
        name.className = "option-name";
        name.textContent = speaker.name;
        const meta = document.createElement("span");
        meta.className = "option-meta";
        const count = speaker.statements + (speaker.statements === 1 ? " statement" : " statements");
        meta.textContent = speaker.country ? speaker.country + " · " + count : count;
        option.append(name, meta);
        // mousedown, not click: the input keeps its focus, so blur does not close us first.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(i);
        });
        listbox.append(option);
        return option;
      });
      active = -1;
      if (status) {
        status.textContent = results.length
          ? results.length + (results.length === 1 ? " suggestion" : " suggestions") + ", use the arrow keys"
          : "No speaker found";
      }
      if (options.length && document.activeElement === input) {
        open();
      } else {
        close();
      }
    }

    function suggest() {
      const q = input.value.trim();
      if (q === lastQuery) {
        return;
      }
      lastQuery = q;
      if (controller) {
        controller.abort();
      }
      if (!q) {
        render([]);
        return;
      }
      controller = new AbortController();
      const query = new URLSearchParams({ q: q, format: "json", limit: "8" });
      fetch(url + "?" + query.toString(), {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (input.value.trim() === q) {
            render(data.results || []);
          }
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            render([]);
          }
        });
    }

    if (input.form) {
      // htmx builds the request from the form: send the picked speaker's slug.
      input.form.addEventListener("htmx:configRequest", function (event) {
        if (event.detail.elt === input.form && input.dataset.slug) {
          event.detail.parameters[input.name] = speakerValue(input);
        }
      });
    }

    input.addEventListener("input", function () {
      if (input.dataset.slug && input.value.trim() !== input.dataset.name) {
        showSpeaker(input, null); // edited: it is typed text again
      }
      clearTimeout(timer);
      timer = setTimeout(suggest, 200);
    });
    input.addEventListener("keydown", function (event) {
      const count = options.length;
      if (event.key === "ArrowDown" && count) {
        event.preventDefault();
        open();
        setActive((active + 1) % count);
      } else if (event.key === "ArrowUp" && count) {
        event.preventDefault();
        open();
        setActive(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter" && !listbox.hidden && active >= 0) {
        event.preventDefault(); // pick instead of submitting what was typed
        pick(active);
      } else if (event.key === "Escape" && !listbox.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
    input.addEventListener("focus", open);
  }

  // On a phone the less used filters fold away behind a "More filters" button (CSS shows
  // it only on narrow screens), which says "Fewer filters" while they are shown; they
  // start open when one of them is set.
  function setUpFilterToggle(form) {
    const toggle = form.querySelector(".filters-toggle");
    const more = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!more) {
      return;
    }
    const label = toggle.querySelector(".filters-toggle-label");
    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      form.classList.toggle("is-open", open);
      if (label) {
        label.textContent = open ? label.dataset.open : label.dataset.closed;
      }
    }
    form.classList.add("js-collapsible");
    toggle.hidden = false;
    setOpen(more.dataset.active === "true");
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
  }

  function init() {
    document.querySelectorAll("input.js-speaker-combobox").forEach(setUpCombobox);
    document.querySelectorAll("form.filters").forEach(setUpFilterToggle);
    // After the swap, not on htmx:pushedIntoHistory (htmx pushes before it swaps): the new
    // results carry the name of the speaker in the URL.
    document.body.addEventListener("htmx:afterSwap", syncFormsWithUrl);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
