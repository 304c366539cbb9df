module.exports = { ...require('../../jest.preset.cjs'), displayName: '@cxr/tool-api-names' };
