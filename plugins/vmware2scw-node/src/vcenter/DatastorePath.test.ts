import {
  datastoreFolderUrl,
  flatExtentPath,
  formatDatastorePath,
  parseDatastorePath,
} from './DatastorePath';

describe('DatastorePath', () => {
  it('parses datastore paths, including names with spaces and brackets content', () => {
    expect(
      parseDatastorePath('[DS 01 (prod)] sql-prod-01/sql-prod-01.vmdk'),
    ).toEqual({
      datastore: 'DS 01 (prod)',
      path: 'sql-prod-01/sql-prod-01.vmdk',
    });
    expect(
      parseDatastorePath('[vsanDatastore] 3b30/vCLS.vmdk')?.datastore,
    ).toBe('vsanDatastore');
    expect(parseDatastorePath('[LocalDS_0]')).toEqual({
      datastore: 'LocalDS_0',
      path: '',
    });
    expect(parseDatastorePath('/vmfs/volumes/x.vmdk')).toBeUndefined();
    expect(formatDatastorePath({ datastore: 'a', path: 'b/c' })).toBe(
      '[a] b/c',
    );
  });

  it('builds /folder URLs with each part percent-encoded once', () => {
    const url = datastoreFolderUrl('https://vc.example:8443/sdk', {
      datacenterPath: 'Europe/Paris DC',
      datastore: 'DS 01 (prod)',
      path: 'web #1/web #1-flat.vmdk',
    });
    expect(url).toBe(
      'https://vc.example:8443/folder/web%20%231/web%20%231-flat.vmdk?dcPath=Europe/Paris%20DC&dsName=DS%2001%20(prod)',
    );
    const decoded = new URL(url);
    expect(decoded.searchParams.get('dcPath')).toBe('Europe/Paris DC');
    expect(decoded.searchParams.get('dsName')).toBe('DS 01 (prod)');
    expect(decodeURIComponent(decoded.pathname)).toBe(
      '/folder/web #1/web #1-flat.vmdk',
    );
  });

  it('names the flat extent of a descriptor', () => {
    expect(flatExtentPath('vm/vm.vmdk')).toBe('vm/vm-flat.vmdk');
    expect(flatExtentPath('vm/vm-flat.vmdk')).toBe('vm/vm-flat.vmdk');
  });
});
