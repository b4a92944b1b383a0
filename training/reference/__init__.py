"""Reference (numpy/scipy) implementations and fixture writers used to check the TypeScript side."""
