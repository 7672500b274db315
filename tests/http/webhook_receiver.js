// A webhook receiver for tests/http/test_webhooks.py and bench/: every delivery is verified
// with the Standard Webhooks reference library for JavaScript (npm `standardwebhooks`), as a
// subscriber would verify it, never with Grappe's own code.
//
//   node webhook_receiver.js PORT
//
// POST /hook/<name>        a delivery: verified against the secrets given for <name>, kept,
//                          answered with the status, delay and body set for <name>
// PUT  /_control/<name>    JSON {secrets?: [...], status?: N, delay_ms?: N, reply?: "text",
//                          location?: "url"} (merged into what was set)
// GET  /_control/<name>    JSON [{id, timestamp, signature, traceparent, verified: [indexes of
//                          the secrets that verify it], error, body, at_ms}] in arrival order
// DELETE /_control/<name>  forgets what <name> received
// GET  /_summary           JSON {<name>: {n, verified, unique_ids, in_order, first_at_ms,
//                          last_at_ms}} for every name (bench/: many deliveries, no bodies)
// It prints "ready" on standard output once it listens.
'use strict';
const http = require('http');
const { Webhook } = require('standardwebhooks');

const port = Number(process.argv[2]);
const hooks = new Map();

function hook(name) {
  if (!hooks.has(name)) hooks.set(name, { secrets: [], status: 200, delay_ms: 0, reply: 'ok', received: [] });
  return hooks.get(name);
}

function json(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const parts = new URL(req.url, 'http://receiver').pathname.split('/').filter(Boolean);
    if (parts[0] === '_summary') {
      const out = {};
      for (const [name, h] of hooks) {
        const ids = new Set(h.received.map((m) => m.id));
        let inOrder = true;
        let last = -1;
        for (const m of h.received) {
          const seq = m.body && m.body.data ? m.body.data.seq : null;
          if (typeof seq === 'number') {
            if (seq < last) inOrder = false;
            last = seq;
          }
        }
        out[name] = {
          n: h.received.length,
          verified: h.received.filter((m) => m.verified.length > 0).length,
          unique_ids: ids.size,
          in_order: inOrder,
          first_at_ms: h.received.length ? h.received[0].at_ms : null,
          last_at_ms: h.received.length ? h.received[h.received.length - 1].at_ms : null,
        };
      }
      return json(res, 200, out);
    }
    if (parts[0] === '_control' && parts[1]) {
      const h = hook(parts[1]);
      if (req.method === 'GET') return json(res, 200, h.received);
      if (req.method === 'DELETE') {
        h.received = [];
        return json(res, 200, {});
      }
      Object.assign(h, JSON.parse(body || '{}'));
      return json(res, 200, {});
    }
    if (parts[0] !== 'hook' || !parts[1] || req.method !== 'POST') return json(res, 404, {});
    const h = hook(parts[1]);
    const headers = {
      'webhook-id': req.headers['webhook-id'],
      'webhook-timestamp': req.headers['webhook-timestamp'],
      'webhook-signature': req.headers['webhook-signature'],
    };
    const verified = [];
    let error = null;
    h.secrets.forEach((secret, i) => {
      try {
        new Webhook(secret).verify(body, headers);
        verified.push(i);
      } catch (e) {
        error = String(e && e.message ? e.message : e);
      }
    });
    let parsed = null;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      error = 'body is not JSON';
    }
    h.received.push({
      id: headers['webhook-id'] || null,
      timestamp: headers['webhook-timestamp'] || null,
      signature: headers['webhook-signature'] || null,
      traceparent: req.headers['traceparent'] || null,
      content_type: req.headers['content-type'] || null,
      verified,
      error,
      body: parsed,
      at_ms: Date.now(),
    });
    setTimeout(() => {
      const head = {};
      if (h.location) head.location = h.location;
      res.writeHead(h.status, head);
      res.end(h.reply);
    }, h.delay_ms);
  });
});
server.keepAliveTimeout = 1000;
server.listen(port, '127.0.0.1', () => console.log('ready'));
