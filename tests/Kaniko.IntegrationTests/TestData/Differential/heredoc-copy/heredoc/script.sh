#!/bin/sh
echo "world"
