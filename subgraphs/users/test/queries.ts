// GraphQL documents shared by the users tests.
export const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterOrganizationInput!) {
    registerOrganization(input: $input) {
      accessToken
      refreshToken
      accessTokenExpiresAt
      user {
        id
        email
        name
        role
        organization {
          id
          name
          kind
          status
        }
      }
    }
  }
`;

export const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      accessToken
      refreshToken
      user {
        id
        email
        role
        organization {
          id
          kind
          status
        }
      }
    }
  }
`;

export const REFRESH = /* GraphQL */ `
  mutation Refresh($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) {
      accessToken
      refreshToken
      user {
        id
      }
    }
  }
`;

export const LOGOUT = /* GraphQL */ `
  mutation Logout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`;

export const ME = /* GraphQL */ `
  query Me {
    me {
      id
      email
      name
      role
      organization {
        id
        name
        kind
        status
      }
    }
  }
`;

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt?: string;
  user: {
    id: string;
    email: string;
    name?: string;
    role: string;
    organization: { id: string; name?: string; kind: string; status: string };
  };
}

let counter = 0;
/** A registration input with a unique email. */
export function registration(kind: 'HOSPITAL' | 'VENDOR', overrides: Record<string, unknown> = {}) {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}`;
  return {
    kind,
    organizationName: `${kind === 'HOSPITAL' ? 'General Hospital' : 'Oxygen Supply'} ${tag}`,
    adminName: `Admin ${tag}`,
    email: `admin.${tag}@example.org`,
    password: 'a-strong-password-1',
    ...overrides,
  };
}
