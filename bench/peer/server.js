'use strict'
// bench/run --peer: a generic PostgreSQL REST layer on the benchmark's database, measured
// beside Grappe with the same wrk settings. Platformatic DB's building blocks as its own
// runtime assembles them: @platformatic/sql-mapper reads the schema and maps the companies
// table, @platformatic/sql-openapi generates its REST routes on fastify:
//   GET /companies/:id
//   GET /companies?where.regionCode.eq=84&where.size.eq=pme&orderby.name=asc&orderby.id=asc&limit=50
// The representation is the companies row without the columns Grappe does not return either
// (search, current_memberships), camelCased by the mapper.
//
// Keys, as Grappe's: a request without Authorization reads as anonymous; with
// "Authorization: Bearer <key>", an onRequest hook looks the key's SHA-256 up in api_keys
// and answers 401 if it is unknown or revoked. A valid key is believed for 0.5 s (a Map in
// the process), so that, like Grappe with its key cache, the peer keeps the promise that a
// revoked key is refused within 1 s without a query per request: the comparison is of the
// REST layers, not of who caches keys.
//
// Environment: DATABASE_URL (required), PORT (default 3042), HOST (127.0.0.1),
// POOL (database connections, default 8: Grappe's pool in bench/run).
// It prints "listening" on standard output once it accepts connections (its log goes to
// standard error).
const crypto = require('node:crypto')
const fastify = require('fastify')
const sqlMapper = require('@platformatic/sql-mapper')
const sqlOpenAPI = require('@platformatic/sql-openapi')

async function main () {
  const connectionString = process.env.DATABASE_URL
  if (!connectionString) throw new Error('DATABASE_URL is required')
  const app = fastify({ logger: { level: 'warn', stream: process.stderr } })

  await app.register(sqlMapper, {
    connectionString,
    poolSize: Number(process.env.POOL || 8),
    // companies, and the two tables its foreign keys name (the mapper follows relations)
    include: { companies: true, regions: true, departments: true },
    ignore: { companies: { search: true, current_memberships: true } },
    limit: { default: 10, max: 100 },
  })

  const { db, sql } = app.platformatic
  app.decorateRequest('role', null)
  const keys = new Map() // key -> { role, at }: valid keys, believed for 0.5 s
  app.addHook('onRequest', async (request, reply) => {
    const auth = request.headers.authorization
    if (auth === undefined) return
    const m = /^Bearer (\S+)$/.exec(auth)
    if (m) {
      const hash = crypto.createHash('sha256').update(m[1]).digest()
      const cached = keys.get(m[1])
      if (cached && Date.now() - cached.at < 500) {
        request.role = cached.role
        return
      }
      const rows = await db.query(sql`SELECT role FROM api_keys WHERE key_hash = ${hash} AND revoked_at IS NULL
                                       AND (expires_at IS NULL OR expires_at > now())`)
      if (rows.length === 1) {
        if (keys.size > 4096) keys.clear()
        keys.set(m[1], { role: rows[0].role, at: Date.now() })
        request.role = rows[0].role
        return
      }
      keys.delete(m[1])
    }
    reply.code(401).send({ error: 'invalid key' })
    return reply
  })

  await app.register(sqlOpenAPI, { exposeRoute: false })
  await app.listen({ port: Number(process.env.PORT || 3042), host: process.env.HOST || '127.0.0.1' })
  process.stdout.write('listening\n')
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
