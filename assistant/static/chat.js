watch('value', () => {
  const chat = element.querySelector('.chat');
  const last = chat && chat.querySelector('.turn:last-child');
  if (last) chat.scrollTop = Math.max(0, last.offsetTop - 4);
});
element.addEventListener('click', (ev) => {
  const b = ev.target.closest('button.cite');
  if (!b) return;
  element.querySelectorAll('button.cite.active').forEach((x) => x.classList.remove('active'));
  element.querySelectorAll('button.cite').forEach((x) => {
    if (x.dataset.cite === b.dataset.cite) x.classList.add('active');
  });
  trigger('click', {cite: b.dataset.cite});
});
