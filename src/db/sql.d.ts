// Bun imports .sql files as text (`with { type: "text" }`), which embeds migrations in the binary.
declare module "*.sql" {
  const text: string;
  export default text;
}
