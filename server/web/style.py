"""The board's stylesheet and its one small script, served from the board itself (no CDN, no network)."""

from typing import Final

CSS: Final = """
*{box-sizing:border-box}
body{margin:0;background:#f4f6f9;color:#1f2933;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"DejaVu Sans",sans-serif}
a{color:#1d5fa8}a:hover{color:#0b3d75}
header{background:#1f2933;color:#fff;padding:0 28px}
header nav{max-width:1180px;margin:0 auto;display:flex;gap:22px;align-items:center;height:48px}
header a{color:#d9e2ec;text-decoration:none;font-weight:600}header a:hover{color:#fff}
header .brand{color:#fff;font-size:16px;margin-right:12px}
header .who{margin-left:auto;color:#9fb3c8;font-size:12px}
main{max-width:1180px;margin:0 auto;padding:22px 28px 40px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 8px}h3{font-size:14px;margin:0 0 6px}
.sub{color:#52606d;margin:0 0 16px}
.panel{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:14px 16px;margin-bottom:16px}
.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:end}
.filters label{display:flex;flex-direction:column;font-size:12px;color:#52606d;gap:2px}
input,select,textarea{font:inherit;padding:5px 8px;border:1px solid #bcccdc;border-radius:6px;background:#fff}
textarea{width:100%;min-height:54px}
button{font:inherit;font-weight:600;padding:6px 14px;border-radius:6px;border:1px solid #1d5fa8;
background:#1d5fa8;color:#fff;cursor:pointer}button.quiet{background:#fff;color:#1d5fa8}
button.danger{background:#c8453c;border-color:#c8453c}
.sections{display:grid;grid-template-columns:1fr 1fr;gap:16px;align-items:start}
.section h2 .count{display:inline-block;min-width:26px;text-align:center;border-radius:12px;
background:#e6eaef;color:#1f2933;font-size:12px;padding:1px 8px;margin-left:6px}
.section.overdue h2 .count{background:#fde2e0;color:#a12b22}.section.blocked h2 .count{background:#fff1cc}
table{border-collapse:collapse;width:100%}th,td{padding:6px 8px;border-bottom:1px solid #e6eaef;
text-align:left;vertical-align:top}th{font-size:12px;color:#52606d;font-weight:600}
td.num{text-align:right;white-space:nowrap}
.muted{color:#7b8794}.small{font-size:12px}.empty{color:#7b8794;font-style:italic}
.state{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;
background:#e6eaef}.state.accepted{background:#dbeafe;color:#1d4ed8}.state.done{background:#dcfce7;color:#166534}
.state.killed{background:#f3f4f6;color:#6b7280}.state.candidate{background:#fef3c7;color:#92400e}
.late{color:#a12b22;font-weight:600}
dl.facts{display:grid;grid-template-columns:140px 1fr;gap:4px 12px;margin:0}dl.facts dt{color:#52606d}
dl.facts dd{margin:0}
blockquote{margin:0;padding:8px 12px;border-left:4px solid #f0b429;background:#fffbea;white-space:pre-wrap}
.forms{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}
.forms form{border:1px solid #dde3ea;border-radius:8px;padding:12px;background:#fbfcfd}
.forms form label{display:block;font-size:12px;color:#52606d;margin:6px 0 2px}
.forms form input[type=text],.forms form input[type=date]{width:100%}
.lint li{margin:2px 0}.ok{color:#2e7d32}.notice{border-radius:8px;padding:10px 14px;margin-bottom:14px}
.notice.good{background:#e7f6ec;border:1px solid #9ad3a9}.notice.bad{background:#fdecea;border:1px solid #f0a8a1}
.doc{white-space:pre-wrap;font:13px/1.55 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:16px;overflow-wrap:anywhere}
.doc mark{background:#fff1b8;border-radius:2px}.doc mark.act{background:#c7e7cf}
.doc mark.gap{background:#ffd6d1;outline:1px dashed #c8453c}
.legend span{display:inline-block;padding:0 8px;border-radius:4px;margin-right:8px;font-size:12px;
background:#fff1b8}.legend span.act{background:#c7e7cf}.legend span.gap{background:#ffd6d1;outline:1px dashed #c8453c}
.pager{display:flex;gap:12px;margin-top:8px}.spaced{margin-top:14px}
.choice label{display:inline-block;margin-right:14px;font-size:14px;color:#1f2933}
pre.question{white-space:pre-wrap;font:inherit;margin:0}
@media (max-width:900px){.sections{grid-template-columns:1fr}}
"""
