#!/usr/bin/env node
// The installed `tsvm` command: a stable file for package managers to link before the build exists.
import '../dist/main.js';
