// The passage pane (gr.HTML js_on_load): scroll the highlighted passage into view.
watch('value', () => {
  const mark = element.querySelector('mark.hl-first');
  const box = element.querySelector('.doc-text');
  if (mark && box) box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
  const r = element.getBoundingClientRect();
  if (r.top > window.innerHeight || r.bottom < 0) element.scrollIntoView({block: 'start', behavior: 'smooth'});
});
