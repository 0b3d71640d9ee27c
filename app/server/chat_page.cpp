#include "app/server/chat_page.h"

namespace hearth::server {

std::string_view chat_page_html() {
    return R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hearth</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:50rem;margin:0 auto;padding:1rem;color:#222;background:#fafafa}
#log .msg{white-space:pre-wrap;padding:.6rem .8rem;margin:.5rem 0;border-radius:.5rem}
.user{background:#e3ecfa}.assistant{background:#fff;border:1px solid #ddd}.error{background:#fde2e2}
form{display:flex;gap:.5rem}textarea{flex:1;min-height:3.5rem;font:inherit;padding:.5rem}
button{font:inherit;padding:.4rem 1rem}#bar{display:flex;gap:.5rem;align-items:center;margin-bottom:.5rem;color:#666}
code,pre{font-family:ui-monospace,monospace}
</style></head><body>
<div id="bar"><strong>Hearth</strong><span id="model"></span><span style="flex:1"></span>
<input id="key" type="password" placeholder="API key (if the server needs one)" size="28"></div>
<div id="log"></div>
<form id="form"><textarea id="input" placeholder="Message (Enter sends, Shift+Enter new line)"></textarea>
<button id="send">Send</button><button id="stop" type="button" disabled>Stop</button></form>
<div id="stats" style="color:#666;font-size:13px;margin-top:.4rem"></div>
<script>
const log = document.getElementById('log'), input = document.getElementById('input'), keyBox = document.getElementById('key');
const history = []; let controller = null;
keyBox.value = localStorage.getItem('hearth-key') || '';
keyBox.onchange = () => localStorage.setItem('hearth-key', keyBox.value);
const headers = () => Object.assign({'Content-Type': 'application/json'}, keyBox.value ? {Authorization: 'Bearer ' + keyBox.value} : {});
fetch('/health').then(r => r.json()).then(h => document.getElementById('model').textContent = h.model + ' on ' + h.device);
function add(role, text) { const d = document.createElement('div'); d.className = 'msg ' + role; d.textContent = text; log.appendChild(d); d.scrollIntoView(); return d; }
input.addEventListener('keydown', e => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); document.getElementById('form').requestSubmit(); } });
document.getElementById('stop').onclick = () => controller && controller.abort();
document.getElementById('form').onsubmit = async e => {
  e.preventDefault(); const text = input.value.trim(); if (!text || controller) return;
  input.value = ''; add('user', text); history.push({role: 'user', content: text});
  const out = add('assistant', ''); controller = new AbortController();
  document.getElementById('stop').disabled = false; const start = performance.now(); let first = 0, pieces = 0;
  try {
    const r = await fetch('/v1/chat/completions', {method: 'POST', headers: headers(), signal: controller.signal,
      body: JSON.stringify({messages: history, stream: true})});
    if (!r.ok) throw new Error((await r.json()).error.message);
    const reader = r.body.getReader(), dec = new TextDecoder(); let buf = '';
    for (;;) {
      const {value, done} = await reader.read(); if (done) break;
      buf += dec.decode(value, {stream: true}); let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const ev = buf.slice(0, i); buf = buf.slice(i + 2);
        if (!ev.startsWith('data: ') || ev === 'data: [DONE]') continue;
        const chunk = JSON.parse(ev.slice(6)); if (chunk.error) throw new Error(chunk.error.message);
        const delta = chunk.choices.length ? chunk.choices[0].delta.content : '';
        if (delta) { if (!first) first = performance.now(); pieces++; out.textContent += delta; out.scrollIntoView(); }
      }
    }
    history.push({role: 'assistant', content: out.textContent});
    const secs = (performance.now() - first) / 1000;
    document.getElementById('stats').textContent = `first token ${Math.round(first - start)} ms · ${pieces} chunks · ${(pieces / Math.max(secs, 1e-3)).toFixed(1)} chunks/s`;
  } catch (err) { if (err.name !== 'AbortError') { out.className = 'msg error'; out.textContent = err.message; history.pop(); } else history.push({role: 'assistant', content: out.textContent}); }
  controller = null; document.getElementById('stop').disabled = true;
};
</script></body></html>
)HTML";
}

}  // namespace hearth::server
