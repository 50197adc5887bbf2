export * from './model';
export * from './guestOs';
