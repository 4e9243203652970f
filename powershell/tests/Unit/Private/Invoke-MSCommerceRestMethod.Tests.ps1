# The single REST entry point, with Invoke-WebRequest mocked. The mock answers with a JSON echo of what it was
# asked, so each test can read the request it made from the answer.

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule

    function New-TestWebResponse {
        param([string]$Json)
        [pscustomobject]@{
            StatusCode       = 200
            RawContentStream = New-Object -TypeName System.IO.MemoryStream -ArgumentList (, [System.Text.Encoding]::UTF8.GetBytes($Json))
        }
    }
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Invoke-MSCommerceRestMethod' {
    BeforeEach {
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            $script:MSCommerceConnection = @{ Uri = 'http://mscommerce.test'; AccessToken = 'session-token'; ExpiresOn = $null; TokenRequest = $null }
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-WebRequest' -MockWith {
            $sent = ''
            if ($Body -is [byte[]]) {
                $sent = [System.Text.Encoding]::UTF8.GetString($Body)
            }
            elseif ($null -ne $Body) {
                $sent = [string]$Body
            }
            $echo = [ordered]@{
                uri             = $(if ($Uri -is [uri]) { $Uri.OriginalString } else { [string]$Uri })
                method          = [string]$Method
                authorization   = [string]$Headers['Authorization']
                correlationId   = [string]$Headers['x-ms-correlation-id']
                ifMatch         = [string]$Headers['If-Match']
                contentType     = [string]$ContentType
                body            = $sent
                useBasicParsing = [bool]$UseBasicParsing
                text            = 'Dynamics 365 Gesch' + [char]0x00E4 + 'ftsanwendungen'
            }
            New-TestWebResponse -Json (ConvertTo-Json -InputObject $echo -Compress)
        }
    }

    It 'Should join the base URI, the escaped path parameters and the escaped query' {
        $echo = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            $splatRest = @{
                Method        = 'GET'
                Path          = '/v1.0/policies/{policyId}/products/{productId}'
                PathParameter = @{ policyId = 'AllowSelfServicePurchase'; productId = 'A B/C' }
                Query         = @{ scope = 'Offer Type' }
            }
            Invoke-MSCommerceRestMethod @splatRest
        }
        $echo.uri | Should -Be 'http://mscommerce.test/v1.0/policies/AllowSelfServicePurchase/products/A%20B%2FC?scope=Offer%20Type'
        $echo.method | Should -Be 'GET'
        $echo.useBasicParsing | Should -BeTrue
    }

    It 'Should send the session token as a bearer token' {
        $echo = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies' }
        $echo.authorization | Should -Be 'Bearer session-token'
    }

    It 'Should prefer -Token to the session token' {
        $echo = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies' -Token 'override' }
        $echo.authorization | Should -Be 'Bearer override'
    }

    It 'Should send no Authorization header with -Anonymous' {
        $echo = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Invoke-MSCommerceRestMethod -Method 'POST' -Path '/oauth2/v2.0/token' -Anonymous -FormBody @{ grant_type = 'password' } }
        $echo.authorization | Should -BeNullOrEmpty
    }

    It 'Should send a fresh x-ms-correlation-id GUID with every request' {
        $first, $second = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies'
            Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies'
        }
        $parsed = [guid]::Empty
        [guid]::TryParse($first.correlationId, [ref]$parsed) | Should -BeTrue
        [guid]::TryParse($second.correlationId, [ref]$parsed) | Should -BeTrue
        $first.correlationId | Should -Not -Be $second.correlationId
    }

    It 'Should send -IfMatch as If-Match, and no If-Match without it' {
        $with, $without = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            Invoke-MSCommerceRestMethod -Method 'POST' -Path '/v1.0/subscriptions/{subscriptionId}/cancel' -PathParameter @{ subscriptionId = 's1' } -IfMatch '"3"'
            Invoke-MSCommerceRestMethod -Method 'POST' -Path '/v1.0/subscriptions/{subscriptionId}/cancel' -PathParameter @{ subscriptionId = 's1' }
        }
        $with.ifMatch | Should -Be '"3"'
        $without.ifMatch | Should -BeNullOrEmpty
    }

    It 'Should quote an -IfMatch given without its quotes, and keep weak and quoted ones as they are' -ForEach @(
        @{ Given = '3'; Sent = '"3"' }
        @{ Given = '"3"'; Sent = '"3"' }
        @{ Given = 'W/"3"'; Sent = 'W/"3"' }
    ) {
        $echo = InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Given = $Given } -ScriptBlock {
            param($Given)
            Invoke-MSCommerceRestMethod -Method 'POST' -Path '/v1.0/subscriptions/{subscriptionId}/cancel' -PathParameter @{ subscriptionId = 's1' } -IfMatch $Given
        }
        $echo.ifMatch | Should -Be $Sent
    }

    It 'Should send -Body as UTF-8 JSON' {
        $echo = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            $splatRest = @{
                Method        = 'PUT'
                Path          = '/v1.0/policies/{policyId}/products/{productId}'
                PathParameter = @{ policyId = 'AllowSelfServicePurchase'; productId = 'CFQ7TTC0H9MP' }
                Body          = @{ policyValue = 'Disabled' }
            }
            Invoke-MSCommerceRestMethod @splatRest
        }
        $echo.body | Should -Be '{"policyValue":"Disabled"}'
        $echo.contentType | Should -Be 'application/json; charset=utf-8'
    }

    It 'Should send -FormBody form-encoded' {
        $echo = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            $form = [ordered]@{ grant_type = 'password'; username = 'admin@contoso.onmicrosoft.com'; password = 'a&b=c d' }
            Invoke-MSCommerceRestMethod -Method 'POST' -Path '/oauth2/v2.0/token' -Anonymous -FormBody $form
        }
        $echo.body | Should -Be 'grant_type=password&username=admin%40contoso.onmicrosoft.com&password=a%26b%3Dc%20d'
        $echo.contentType | Should -Be 'application/x-www-form-urlencoded'
    }

    It 'Should decode the answer as UTF-8' {
        $echo = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies' }
        $echo.text | Should -Be ('Dynamics 365 Gesch' + [char]0x00E4 + 'ftsanwendungen')
    }

    It 'Should refuse to send anything without a connection or -Token' {
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection = $null }
        { InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies' } } |
            Should -Throw -ExpectedMessage 'You must call the Connect-MSCommerce cmdlet before calling any other cmdlets'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-WebRequest' -Times 0 -Exactly
    }

    It 'Should use $env:MSCOMMERCE_URI, else http://localhost:8080, with -Token and no connection' {
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection = $null }
        $saved = $env:MSCOMMERCE_URI
        try {
            $env:MSCOMMERCE_URI = $null
            $echo = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies' -Token 'raw' }
            $echo.uri | Should -Be 'http://localhost:8080/v1.0/policies'
            $env:MSCOMMERCE_URI = 'https://elsewhere.test/'
            $echo = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies' -Token 'raw' }
            $echo.uri | Should -Be 'https://elsewhere.test/v1.0/policies'
        }
        finally {
            $env:MSCOMMERCE_URI = $saved
        }
    }

    Context 'Paging' {
        BeforeEach {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-WebRequest' -ParameterFilter { $Uri -notlike '*skipToken*' } -MockWith {
                New-TestWebResponse -Json '{"items":[{"id":"3"},{"id":"2"}],"nextLink":"http://127.0.0.1:9/v1.0/auditLogs/policyChanges?top=2&skipToken=2"}'
            }
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-WebRequest' -ParameterFilter { $Uri -like '*skipToken=2' } -MockWith {
                New-TestWebResponse -Json '{"items":[{"id":"1"}]}'
            }
        }

        It 'Should write the items of every page, following nextLink on the connected service' {
            $items = @(InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
                    Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/auditLogs/policyChanges' -Query @{ top = 2 } -FollowNextLink
                })
            @($items | ForEach-Object -Process { $_.id }) | Should -Be @('3', '2', '1')
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-WebRequest' -Times 1 -Exactly -ParameterFilter {
                $Uri -eq 'http://mscommerce.test/v1.0/auditLogs/policyChanges?top=2&skipToken=2' -and $Headers['Authorization'] -eq 'Bearer session-token'
            }
        }

        It 'Should stop after -First items without asking for the next page' {
            $items = @(InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
                    Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/auditLogs/policyChanges' -FollowNextLink -First 2
                })
            $items.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-WebRequest' -Times 1 -Exactly
        }
    }

    Context 'Failures' {
        It 'Should stop with a ConnectionError when the service cannot be reached' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-WebRequest' -MockWith {
                throw (New-Object -TypeName System.Net.WebException -ArgumentList 'Unable to connect to the remote server')
            }
            $failure = $null
            try {
                InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies' -ErrorContext 'Failed to retrieve policies' }
            }
            catch {
                $failure = $_
            }
            $failure | Should -Not -BeNullOrEmpty
            $failure.CategoryInfo.Category | Should -Be 'ConnectionError'
            $failure.FullyQualifiedErrorId | Should -BeLike 'ConnectionFailed*'
            $failure.Exception.Message | Should -BeLike "Failed to retrieve policies, ErrorMessage - Unable to connect to the remote server ErrorDetails - The service at 'http://mscommerce.test/v1.0/policies' cannot be reached.*"
        }

        It 'Should report an answer that is not JSON' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-WebRequest' -MockWith { New-TestWebResponse -Json '<html>proxy login</html>' }
            { InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies' } } |
                Should -Throw -ErrorId 'InvalidResponse*'
        }
    }

    Context 'Token renewal' {
        It 'Should renew a token that expires within two minutes when the grant allows it' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Request-MSCommerceToken' -MockWith {
                [pscustomobject]@{ AccessToken = 'renewed-token'; ExpiresOn = [datetime]::UtcNow.AddHours(1) }
            }
            InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
                $script:MSCommerceConnection = @{
                    Uri          = 'http://mscommerce.test'
                    AccessToken  = 'old-token'
                    ExpiresOn    = [datetime]::UtcNow.AddSeconds(30)
                    TokenRequest = @{ GrantType = 'client_credentials'; ClientId = 'app'; TenantId = 't' }
                }
            }
            $echo = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies' }
            $echo.authorization | Should -Be 'Bearer renewed-token'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Request-MSCommerceToken' -Times 1 -Exactly -ParameterFilter {
                $BaseUri -eq 'http://mscommerce.test' -and $GrantType -eq 'client_credentials'
            }
        }

        It 'Should not renew a token given with -AccessToken' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Request-MSCommerceToken' -MockWith { throw 'no renewal is expected' }
            InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
                $script:MSCommerceConnection = @{ Uri = 'http://mscommerce.test'; AccessToken = 'byo'; ExpiresOn = [datetime]::UtcNow.AddSeconds(-5); TokenRequest = $null }
            }
            $echo = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies' }
            $echo.authorization | Should -Be 'Bearer byo'
        }
    }
}
