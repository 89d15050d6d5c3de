#!/usr/bin/env node
console.log('logmetrics-collector (under construction)');
