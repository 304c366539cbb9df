// The part of dcmjs (no published types) that writeDicom uses: its denaturalised data set writer.
declare module 'dcmjs' {
  /** One element of a denaturalised data set: VR and values (strings, numbers, ArrayBuffers or item data sets). */
  interface DcmjsElement {
    vr: string;
    Value: unknown[];
  }
  type DcmjsDataSet = Record<string, DcmjsElement>;
  const dcmjs: {
    data: {
      DicomDict: new (meta: DcmjsDataSet) => { dict: DcmjsDataSet; write(options?: Record<string, unknown>): ArrayBuffer };
      DicomMessage: { write(dataSet: DcmjsDataSet, stream: unknown, transferSyntaxUid: string, options: Record<string, unknown>): number };
      WriteBufferStream: new () => { getBuffer(): ArrayBuffer };
    };
  };
  export default dcmjs;
}
