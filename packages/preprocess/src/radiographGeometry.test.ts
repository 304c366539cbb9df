import { ImageGeometryError } from './errors';
import { checkRadiographGeometry, RADIOGRAPH_GEOMETRY } from './radiographGeometry';

describe('checkRadiographGeometry', () => {
  it('accepts real radiograph sizes: the smallest and the most elongated of the shared data, a detector 2446x2010', () => {
    expect(() => checkRadiographGeometry(156, 157, 'a.png')).not.toThrow();
    expect(() => checkRadiographGeometry(2563, 1148, 'b.jpg')).not.toThrow(); // 2.23:1
    expect(() => checkRadiographGeometry(2010, 2446, 'c.dcm')).not.toThrow();
    expect(() => checkRadiographGeometry(64, 192, 'edge.png')).not.toThrow(); // both bounds exactly
  });

  it('refuses a damaged header (440x1, 60000x1) naming the file, the size and the rule', () => {
    const err = (() => {
      try {
        checkRadiographGeometry(440, 1, 'scans/a.dcm');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ImageGeometryError);
    expect(err).toMatchObject({ file: 'scans/a.dcm', width: 440, height: 1, field: 'minSide' });
    expect((err as Error).message).toBe(
      'Image scans/a.dcm is 440x1, not a plausible chest radiograph: its shorter side is 1 px, under the minimum of 64 px',
    );
    expect(() => checkRadiographGeometry(600, 199, 'wide.png')).toThrow(/aspect ratio 3\.02:1 is over the maximum of 3:1/);
    expect(() => checkRadiographGeometry(0, 0, 'empty.png')).toThrow(ImageGeometryError);
    expect(() => checkRadiographGeometry(Number.NaN, 100, 'nan.png')).toThrow(ImageGeometryError);
  });

  it('takes other limits', () => {
    expect(() => checkRadiographGeometry(32, 32, 'small.png', { ...RADIOGRAPH_GEOMETRY, minSide: 16 })).not.toThrow();
  });
});
