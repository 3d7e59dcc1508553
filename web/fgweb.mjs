/**
 * fgweb's browser runtime, as an ES module at the bundle root:
 *
 *     import { createAgent } from './fgweb.mjs';
 *     const agent = await createAgent({ backend: 'auto' });
 *     const r = await agent.run('sign in as ann@example.com with password hunter2');
 */
export { createAgent, Agent, FgwebError } from './src/agent.js';
