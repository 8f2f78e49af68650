// Style sheets imported for their side effect: esbuild bundles them into app/static/app.css.
declare module "*.css";
