/** @file perceptual-lipsync command-line tool (Node). */
console.log('perceptual-lipsync: no commands yet');
