module.exports = { ...require('./../../jest.preset.js'), displayName: 'subgraph-kit' };
