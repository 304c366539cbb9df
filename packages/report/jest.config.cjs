module.exports = { ...require('../../jest.preset.cjs'), displayName: '@cxr/report' };
