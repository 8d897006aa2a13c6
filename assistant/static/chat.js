// The conversation (gr.HTML js_on_load): keep the latest answer in view; a citation number opens
// its passage; "Ask as a new question" asks a rewritten follow-up again, as typed, on its own.
watch('value', () => {
  const chat = element.querySelector('.chat');
  const last = chat && chat.querySelector('.turn:last-child');
  if (last) chat.scrollTop = Math.max(0, last.offsetTop - 4);
});
element.addEventListener('click', (ev) => {
  const again = ev.target.closest('button.ask-new');
  if (again) {
    trigger('click', {ask: again.dataset.ask});
    return;
  }
  const b = ev.target.closest('button.cite');
  if (!b) return;
  element.querySelectorAll('button.cite.active').forEach((x) => x.classList.remove('active'));
  element.querySelectorAll('button.cite').forEach((x) => {
    if (x.dataset.cite === b.dataset.cite) x.classList.add('active');
  });
  trigger('click', {cite: b.dataset.cite});
});
