export * from './model';
export * from './guestOs';
export * from './guestRelease';
export * from './systemDisk';
