BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
    $script:savedUri = $env:MSCOMMERCE_URI
    $script:password = ConvertTo-SecureString -String 'P@ssw0rd-for-tests' -AsPlainText -Force
    $script:credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList 'admin@contoso.onmicrosoft.com', $script:password
}

AfterAll {
    $env:MSCOMMERCE_URI = $script:savedUri
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Connect-MSCommerce' {
    BeforeEach {
        $env:MSCOMMERCE_URI = $null
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection = $null }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ token_type = 'Bearer'; access_token = 'issued-token'; expires_in = 3600 }
        }
    }

    Context 'Password grant' {
        It 'Should post the user name and password to the token endpoint of -Uri' {
            Connect-MSCommerce -Uri 'http://mscommerce.test:8080/' -Credential $credential 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'POST' -and
                $Path -eq '/oauth2/v2.0/token' -and
                $Anonymous -and
                $BaseUri -eq 'http://mscommerce.test:8080' -and
                $FormBody['grant_type'] -eq 'password' -and
                $FormBody['username'] -eq 'admin@contoso.onmicrosoft.com' -and
                $FormBody['password'] -eq 'P@ssw0rd-for-tests' -and
                -not $FormBody.Contains('client_id') -and
                -not $FormBody.Contains('scope')
            }
        }

        It 'Should sign in with 1.x''s -AdminAccount' {
            Connect-MSCommerce -AdminAccount $credential 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $FormBody['grant_type'] -eq 'password' -and $FormBody['username'] -eq 'admin@contoso.onmicrosoft.com'
            }
        }

        It 'Should bind 1.x''s positional call: ClientId, RedirectUri, Resource, AdminAccount' {
            Connect-MSCommerce '3d5cffa9-04da-4657-8cab-c7f074657cad' 'http://localhost/m365/commerce' 'aeb86249-8ea3-49e2-900b-54cc8e308f85' $credential 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $FormBody['grant_type'] -eq 'password' -and
                $FormBody['username'] -eq 'admin@contoso.onmicrosoft.com' -and
                $FormBody['client_id'] -eq '3d5cffa9-04da-4657-8cab-c7f074657cad' -and
                $FormBody['scope'] -eq 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default'
            }
        }

        It 'Should keep the token and the address in the session' {
            Connect-MSCommerce -Uri 'http://mscommerce.test:8080' -Credential $credential 6>$null
            $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
            $connection.AccessToken | Should -Be 'issued-token'
            $connection.Uri | Should -Be 'http://mscommerce.test:8080'
            $connection.ExpiresOn | Should -BeGreaterThan ([datetime]::UtcNow.AddMinutes(50))
        }

        It 'Should say "Connection established successfully" on the information stream and write nothing to the pipeline' {
            $pipeline = @(Connect-MSCommerce -Credential $credential 6>$null)
            $pipeline.Count | Should -Be 0
            $everything = @(Connect-MSCommerce -Credential $credential 6>&1)
            $everything.Count | Should -Be 1
            $everything[0] | Should -BeOfType [System.Management.Automation.InformationRecord]
            [string]$everything[0].MessageData | Should -Be 'Connection established successfully'
        }

        It 'Should ask for the credential when no way of signing in is given' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Get-Credential' -MockWith { $credential }
            Connect-MSCommerce 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Get-Credential' -Times 1 -Exactly
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $FormBody['grant_type'] -eq 'password' }
        }

        It 'Should accept Microsoft''s -ClientId, -RedirectUri and -Resource, positional as in old scripts' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Get-Credential' -MockWith { $credential }
            Connect-MSCommerce '3d5cffa9-04da-4657-8cab-c7f074657cad' 'http://localhost/m365/commerce' 'aeb86249-8ea3-49e2-900b-54cc8e308f85' 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $FormBody['client_id'] -eq '3d5cffa9-04da-4657-8cab-c7f074657cad' -and
                $FormBody['scope'] -eq 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default'
            }
        }

        It 'Should keep a -Resource that already ends with /.default' {
            Connect-MSCommerce -Credential $credential -Resource 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default' 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $FormBody['scope'] -eq 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default'
            }
        }

        It 'Should use the tenant path when -TenantId is given' {
            Connect-MSCommerce -Credential $credential -TenantId 'contoso.onmicrosoft.com' 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Path -eq '/{tenantId}/oauth2/v2.0/token' -and $PathParameter.tenantId -eq 'contoso.onmicrosoft.com'
            }
        }
    }

    Context 'Service address' {
        It 'Should default to http://localhost:8080' {
            Connect-MSCommerce -Credential $credential 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $BaseUri -eq 'http://localhost:8080' }
        }

        It 'Should default to $env:MSCOMMERCE_URI when it is set' {
            $env:MSCOMMERCE_URI = 'https://mscommerce.contoso.test/'
            Connect-MSCommerce -Credential $credential 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $BaseUri -eq 'https://mscommerce.contoso.test' }
        }

        It 'Should refuse an address that is not http or https before any call' {
            { Connect-MSCommerce -Credential $credential -Uri 'ftp://mscommerce.test' } | Should -Throw -ErrorId 'InvalidUri*'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }
    }

    Context 'Client credentials' {
        It 'Should post client_credentials to {Uri}/{TenantId}/oauth2/v2.0/token' {
            $secret = ConvertTo-SecureString -String 'app-secret' -AsPlainText -Force
            Connect-MSCommerce -ClientId 'app-id' -ClientSecret $secret -TenantId 'tenant-1' -Uri 'http://mscommerce.test' 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'POST' -and
                $Path -eq '/{tenantId}/oauth2/v2.0/token' -and
                $PathParameter.tenantId -eq 'tenant-1' -and
                $FormBody['grant_type'] -eq 'client_credentials' -and
                $FormBody['client_id'] -eq 'app-id' -and
                $FormBody['client_secret'] -eq 'app-secret'
            }
        }

        It 'Should keep what is needed to renew the token unattended' {
            $secret = ConvertTo-SecureString -String 'app-secret' -AsPlainText -Force
            Connect-MSCommerce -ClientId 'app-id' -ClientSecret $secret -TenantId 'tenant-1' 6>$null
            $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
            $connection.TokenRequest.GrantType | Should -Be 'client_credentials'
            $connection.TokenRequest.ClientSecret | Should -BeOfType [System.Security.SecureString]
        }
    }

    Context 'Access token' {
        It 'Should keep a token obtained elsewhere without calling the service' {
            Connect-MSCommerce -AccessToken 'byo-token' -Uri 'http://mscommerce.test' 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
            $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
            $connection.AccessToken | Should -Be 'byo-token'
            $connection.TokenRequest | Should -BeNullOrEmpty
        }

        It 'Should read the expiry of a JWT' {
            $payload = [System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes('{"exp":4102444800,"tid":"t","upn":"u"}')).TrimEnd('=').Replace('+', '-').Replace('/', '_')
            Connect-MSCommerce -AccessToken "eyJhbGciOiJFZERTQSJ9.$payload.c2ln" 6>$null
            $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
            $connection.ExpiresOn.Year | Should -Be 2100
        }
    }

    Context 'Failure' {
        It 'Should stop with "Unable to establish connection" when the token endpoint refuses' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
                $exception = New-Object -TypeName System.ArgumentException -ArgumentList 'Unable to establish connection, ErrorMessage - 400 ErrorDetails - {"errorCode":"invalid_grant"}'
                throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'invalid_grant', 'InvalidArgument', $null)
            }
            { Connect-MSCommerce -Credential $credential } | Should -Throw -ExpectedMessage 'Unable to establish connection*'
            InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection } | Should -BeNullOrEmpty
        }
    }
}
