#!/usr/bin/env node
require('../dist/headless.js');
