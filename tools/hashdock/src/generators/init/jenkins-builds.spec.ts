import { describe, expect, it } from 'vitest';
import { jenkinsBuilds } from './jenkins-builds';

const read = (text: string) => jenkinsBuilds('Jenkinsfile', text).map(({ context, dockerfile, settings }) => [dockerfile, context, settings]);

describe('jenkinsBuilds: the images a Jenkinsfile builds from the checkout', () => {
  it("sh steps (one line, multi-line with continuations), dir() blocks, and the Docker Pipeline plugin's docker.build", () => {
    const jenkinsfile = `
pipeline {
  agent any
  stages {
    stage('Images') {
      steps {
        sh 'docker build -f apps/api/Dockerfile --build-arg TIER=backend -t ghcr.io/acme/api .'
        sh '''
          docker build \\
            --target runtime \\
            -f apps/web/Dockerfile .
        '''
        dir('apps/worker') {
          sh "docker build -t acme/worker:\${env.BUILD_ID} ."
        }
        // sh 'docker build -f apps/old/Dockerfile .'
        /* sh 'docker build -f apps/older/Dockerfile .' */
        script {
          def admin = docker.build("acme/admin:\${env.BUILD_ID}", "-f apps/admin/Dockerfile --build-arg MODE=lean .")
          docker.build('acme/root')
        }
        dir("\${env.WORKSPACE}/apps/x") {
          sh 'docker build .'
        }
        sh "docker build -f apps/\${params.APP}/Dockerfile ."
      }
    }
  }
}
`;
    expect(read(jenkinsfile)).toEqual([
      ['apps/api/Dockerfile', '.', { buildArgs: { TIER: 'backend' }, image: 'ghcr.io/acme/api' }],
      ['apps/web/Dockerfile', '.', { stage: 'runtime' }],
      ['apps/worker/Dockerfile', 'apps/worker', { image: 'acme/worker' }],
      ['apps/admin/Dockerfile', '.', { buildArgs: { MODE: 'lean' }, image: 'acme/admin' }],
      ['Dockerfile', '.', { image: 'acme/root' }],
    ]);
  });

  it('nothing from a Jenkinsfile that builds no image', () => {
    expect(read("pipeline { stages { stage('test') { steps { sh 'npm test' } } } }")).toEqual([]);
  });
});
