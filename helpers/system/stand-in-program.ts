/** Users shaped like jsonplaceholder.typicode.com/users (id, name, username, email), made up. */
export const STAND_IN_USERS = [
  { id: 1, name: 'Ada Example', username: 'ada', email: 'ada@example.invalid' },
  { id: 2, name: 'Linus Example', username: 'linus', email: 'linus@example.invalid' },
]

/**
 * The stand-in's whole program, run with `node -e`: GET /users answers the list above, any
 * other path 404. Listens on $PORT (80 in the container).
 */
export const STAND_IN_SERVER = `
const http = require('http');
const users = ${JSON.stringify(STAND_IN_USERS)};
http.createServer((req, res) => {
  if (req.method === 'GET' && req.url.split('?')[0] === '/users') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(users));
  } else { res.writeHead(404); res.end(); }
}).listen(Number(process.env.PORT || 80), '0.0.0.0');
`

/** The image the stand-in runs in: small, and node is all the program needs. */
export const STAND_IN_IMAGE = 'node:20-alpine'
