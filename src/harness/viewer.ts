/**
 * `alignlab eval view`: a small local HTML viewer of the eval logs in a folder, served on
 * loopback. It lists runs; a run's page lists its samples with filters (all, failed, errored,
 * changed against another run of the same task) and opens one sample's conversation, scores
 * and error. The page is static; its data comes from /api/runs, /api/runs/:id and /api/changed.
 * Logs are re-read on every request, so a run in progress shows as it checkpoints.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findLog, listLogs } from './log.js';
import { changedSamples } from './stats.js';

export interface ViewerServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

function runRow(path: string, log: ReturnType<typeof listLogs>[number]['log']) {
  const primary = log.summary?.scores[0];
  return {
    runId: log.runId,
    path,
    task: log.task.name,
    model: log.model.id,
    status: log.status,
    startedAt: log.startedAt,
    epochs: log.config.epochs,
    counts: log.summary?.counts ?? null,
    primary: primary
      ? { name: primary.name, mean: primary.mean, ci: primary.ci, items: primary.items }
      : null,
    verdict: log.summary?.verdict ?? null,
  };
}

export async function startViewer(dir: string, port = 0, host = '127.0.0.1'): Promise<ViewerServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    try {
      if (url.pathname === '/' || url.pathname === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(PAGE);
      } else if (url.pathname === '/api/runs') {
        json(
          200,
          listLogs(dir).map((l) => runRow(l.path, l.log)),
        );
      } else if (url.pathname.startsWith('/api/runs/')) {
        json(200, findLog(dir, decodeURIComponent(url.pathname.slice('/api/runs/'.length))).log);
      } else if (url.pathname === '/api/changed') {
        const a = findLog(dir, url.searchParams.get('a') ?? '').log;
        const b = findLog(dir, url.searchParams.get('b') ?? '').log;
        json(200, changedSamples(a.samples, b.samples));
      } else json(404, { error: 'not found' });
    } catch (error) {
      json(404, { error: error instanceof Error ? error.message : String(error) });
    }
  });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ready());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${address.port}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>alignlab eval logs</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0}td,th{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top}
tr.click:hover{background:#f3f6ff;cursor:pointer}.pass{color:#176b2c}.fail{color:#b3261e}.error{color:#8a5a00}.na{color:#777}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.4rem;margin:.2rem 0}#sample{border-left:3px solid #99a;padding-left:1rem}
</style></head><body>
<h1>alignlab eval logs</h1>
<div id="runs"></div><div id="run"></div><div id="sample"></div>
<script>
const el=(tag,attrs={},...kids)=>{const e=document.createElement(tag);for(const[k,v]of Object.entries(attrs)){if(k==='onclick')e.onclick=v;else e.setAttribute(k,v)}for(const k of kids)e.append(k instanceof Node?k:document.createTextNode(String(k)));return e};
const fmt=(x)=>x==null||Number.isNaN(x)?'–':(+x).toFixed(3);
const ci=(c)=>c?'['+fmt(c.lo)+', '+fmt(c.hi)+']':'';
const outcome=(s)=>s.status==='error'?'error':s.passed===true?'pass':s.passed===false?'fail':'n/a';
let runs=[];
async function loadRuns(){
  runs=await (await fetch('/api/runs')).json();
  const t=el('table',{id:'runs-table'},el('tr',{},...['run','task','model','status','primary','verdict','passed','failed','errored','n/a'].map(h=>el('th',{},h))));
  for(const r of runs){const c=r.counts||{};
    t.append(el('tr',{class:'click','data-run':r.runId,onclick:()=>openRun(r.runId)},el('td',{},r.runId),el('td',{},r.task),el('td',{},r.model),el('td',{},r.status),
      el('td',{},r.primary?r.primary.name+' '+fmt(r.primary.mean)+' '+ci(r.primary.ci):'–'),el('td',{},r.verdict??'–'),el('td',{class:'pass'},c.passed??'–'),el('td',{class:'fail'},c.failed??'–'),el('td',{class:'error'},c.errored??'–'),el('td',{class:'na'},c.notApplicable??'–')));}
  document.getElementById('runs').replaceChildren(el('h2',{},runs.length+' runs'),t);
}
async function openRun(id,filter='all',other=''){
  const log=await (await fetch('/api/runs/'+encodeURIComponent(id))).json();
  let changed=null;
  if(filter==='changed'&&other){changed=new Map((await (await fetch('/api/changed?a='+encodeURIComponent(id)+'&b='+encodeURIComponent(other))).json()).map(c=>[c.id+'|'+c.epoch,c]));}
  const sel=el('select',{id:'filter'},...['all','failed','errored','changed'].map(f=>{const o=el('option',{value:f},f);if(f===filter)o.selected=true;return o}));
  const others=el('select',{id:'other'},el('option',{value:''},'(compare with)'),...runs.filter(r=>r.runId!==id&&r.task===log.task.name).map(r=>{const o=el('option',{value:r.runId},r.runId);if(r.runId===other)o.selected=true;return o}));
  const apply=()=>openRun(id,sel.value,others.value);sel.onchange=apply;others.onchange=apply;
  const keep=(s)=>filter==='failed'?s.passed===false:filter==='errored'?s.status==='error':filter==='changed'?(changed?changed.has(s.id+'|'+s.epoch):false):true;
  const names=log.task.scorers.map(s=>s.name);
  const t=el('table',{id:'samples-table'},el('tr',{},...['id','epoch','outcome',...names,'output'].map(h=>el('th',{},h))));
  const shown=log.samples.filter(keep);
  for(const s of shown){t.append(el('tr',{class:'click sample-row',onclick:()=>openSample(s)},el('td',{},s.id),el('td',{},s.epoch),el('td',{class:outcome(s)==='n/a'?'na':outcome(s)},outcome(s)),...names.map(n=>el('td',{},s.scores[n]?fmt(s.scores[n].value):'–')),el('td',{},(s.error||s.output||'').slice(0,80))));}
  const summary=el('table',{},el('tr',{},...['scorer','mean','± SE','95% CI','items'].map(h=>el('th',{},h))),...(log.summary?log.summary.scores:[]).map(s=>el('tr',{},el('td',{},s.name),el('td',{},fmt(s.mean)),el('td',{},fmt(s.se)),el('td',{},ci(s.ci)),el('td',{},s.items))));
  const sm=log.summary||{};
  const verdict=el('p',{id:'verdict'},'verdict: '+(sm.verdict||'–'),...(sm.gates||[]).map(g=>el('span',{class:g.met?'pass':'fail'},' — gate '+g.scorer+' ≥ '+g.min+': '+fmt(g.value)+(g.met?' met':' not met')+' ('+g.why+')')));
  document.getElementById('run').replaceChildren(el('h2',{},log.task.name+' on '+log.model.id),el('p',{},log.task.description),summary,verdict,el('p',{},'filter ',sel,' ',others,' — ',shown.length+' of '+log.samples.length+' samples'),t);
  document.getElementById('sample').replaceChildren();
}
function openSample(s){
  const box=document.getElementById('sample');
  box.replaceChildren(el('h3',{},'sample '+s.id+' (epoch '+s.epoch+'): '+outcome(s)),
    ...s.messages.map(m=>el('div',{},el('b',{},m.role),el('pre',{},m.content))),
    el('h4',{},'scores'),el('pre',{},JSON.stringify(s.scores,null,1)),
    ...(s.store&&Object.keys(s.store).length?[el('h4',{},'solver state'),el('pre',{},JSON.stringify(s.store,null,1))]:[]),
    ...(s.error?[el('h4',{class:'error'},'error'),el('pre',{},s.error)]:[]),
    el('p',{},'calls '+s.calls+', attempts '+s.attempts+', cached '+s.cachedCalls+', tokens '+s.tokens+', '+s.ms+' ms'));
}
loadRuns();
</script></body></html>`;
